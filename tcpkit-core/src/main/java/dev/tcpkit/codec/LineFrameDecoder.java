package dev.tcpkit.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import org.jspecify.annotations.Nullable;

/**
 * Splits the stream at {@code \n} or {@code \r\n}, stripping the terminator, and fails fast on a line longer than
 * the maximum: a {@link TooLongFrameException}, after which everything the connection sends is dropped (the service
 * closes it). A line's length is that of its text, without the terminator, however the reads cut it.
 *
 * <p>Netty's {@code LineBasedFrameDecoder} differs in three ways, all found by fuzzing ({@code
 * LineFrameDecoderFuzzTest}): it counts a {@code \r} that ends a read against the maximum, so a line of exactly the
 * maximum ending in {@code \r\n} is refused when a read ends between the two; after a too-long line it goes on
 * passing the lines that follow in the same read to a connection that is closing, and fails again for the next
 * long one; and it drops an unterminated last line: {@code printf hello | nc host port} sends one message, and a
 * log that silently lost it would be wrong.
 *
 * <p>A service that must stop taking lines at once can {@link #hold()} them: turning {@code autoRead} off only stops
 * the next read, while one read of short lines holds tens of thousands of them (a chat client sending {@code x\n}
 * in 128 KiB reads: 65,536 lines, each relayed to every other client). Held, the rest of the read stays here as bytes,
 * and so does anything read before {@link #resume()}.
 */
public final class LineFrameDecoder extends ByteToMessageDecoder {
    private final int maxLine;
    /** Bytes at the start of the buffer already searched for {@code \n}: a new read does not search them again. */
    private int scanned;
    /** A line was too long: the connection is closing and what it still sends is dropped. */
    private boolean failed;
    /** No line is passed on until {@link #resume()}. */
    private boolean held;
    /** Reads that arrived while held (Netty may read once more after {@code autoRead} is turned off). */
    private final Queue<ByteBuf> heldReads = new ArrayDeque<>(2);
    /** The end of input, if it came while held: passed on after the lines before it. */
    private @Nullable ChannelInputShutdownEvent heldEnd;

    private @Nullable ChannelHandlerContext ctx;
    /** Where lines go instead of down the pipeline, or {@code null}. */
    private final @Nullable LineSink sink;

    /** Passes each line on as a retained slice. */
    public LineFrameDecoder(int maxLine) {
        this(maxLine, null);
    }

    /**
     * Hands each line to {@code sink} in place, passing nothing on (what else it passes on, the end of input, the read
     * bursts, errors, stays the same); with {@code null}, passes each line on as a retained slice.
     */
    public LineFrameDecoder(int maxLine, @Nullable LineSink sink) {
        if (maxLine < 1) {
            throw new IllegalArgumentException("maxLine must be >= 1: " + maxLine);
        }
        this.maxLine = maxLine;
        this.sink = sink;
    }

    /** The longest line accepted, in bytes, without its terminator. */
    public int maxLine() {
        return maxLine;
    }

    /**
     * Passes on no further line, and stops reading, until {@link #resume()}: the rest of the current read waits here
     * as bytes, and so do any later reads and the end of input. Can be called by a handler further on while it
     * handles one of this decoder's lines; the next line then stays here. Event loop only.
     */
    public void hold() {
        held = true;
        ChannelHandlerContext c = ctx;
        if (c != null) {
            c.channel().config().setAutoRead(false);
        }
    }

    /** Whether lines are held back ({@link #hold()}). */
    public boolean isHeld() {
        return held;
    }

    /**
     * Passes on the lines held back, then the reads and the end of input that came meanwhile, until a handler
     * further on calls {@link #hold()} again. Does not turn {@code autoRead} back on: the caller decides that, since
     * something else may want reading paused. Event loop only; not from inside this decoder's own {@code
     * channelRead}.
     */
    public void resume() {
        ChannelHandlerContext c = ctx;
        if (!held || c == null) {
            return;
        }
        held = false;
        try {
            if (internalBuffer().isReadable()) {
                super.channelRead(c, Unpooled.EMPTY_BUFFER); // decodes what the buffer holds
            }
            ByteBuf next;
            while (!held && (next = heldReads.poll()) != null) {
                super.channelRead(c, next);
            }
            if (!held && heldEnd != null) {
                ChannelInputShutdownEvent end = heldEnd;
                heldEnd = null;
                super.userEventTriggered(c, end);
            }
            super.channelReadComplete(c);
        } catch (Exception e) {
            c.fireExceptionCaught(e);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (held && msg instanceof ByteBuf buf) {
            heldReads.add(buf);
            ctx.channel().config().setAutoRead(false); // someone turned it on meanwhile: still held
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (held && evt instanceof ChannelInputShutdownEvent end) {
            heldEnd = end;
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    /**
     * The connection is gone: lines still held are dropped, not passed on in one burst to a service that wanted them
     * one at a time.
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (held) {
            dropHeld();
        }
        super.channelInactive(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        dropHeld();
    }

    private void dropHeld() {
        ByteBuf next;
        while ((next = heldReads.poll()) != null) {
            next.release();
        }
        heldEnd = null;
        ByteBuf buffered = internalBuffer();
        buffered.skipBytes(buffered.readableBytes());
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (held) {
            return; // the rest stays in the buffer until resume()
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int start = in.readerIndex();
        int lf = in.indexOf(start + scanned, in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            int length = in.readableBytes();
            // A '\r' that ends the read may be the first half of "\r\n": it does not count against the maximum yet.
            int text = in.getByte(in.writerIndex() - 1) == '\r' ? length - 1 : length;
            if (text > maxLine) {
                fail(ctx, in, "more than " + maxLine);
            } else {
                scanned = length;
            }
            return;
        }
        scanned = 0;
        int end = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        int length = end - start;
        if (length > maxLine) {
            fail(ctx, in, String.valueOf(length));
            return;
        }
        emit(in, length, out);
        in.skipBytes(lf + 1 - in.readerIndex());
    }

    /** At the end of input: an unterminated last line is a message too. */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (held) {
            return;
        }
        if (failed || !in.isReadable()) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int length = in.readableBytes();
        if (length > maxLine) {
            fail(ctx, in, String.valueOf(length));
            return;
        }
        scanned = 0;
        emit(in, length, out);
    }

    /** The {@code length} bytes at the reader index are a line: to the sink, or on as a slice; either way, read. */
    private void emit(ByteBuf in, int length, List<Object> out) {
        LineSink s = sink;
        if (s != null) {
            s.line(in, in.readerIndex(), length);
            in.skipBytes(length);
        } else {
            out.add(in.readRetainedSlice(length));
        }
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, String length) {
        failed = true;
        in.skipBytes(in.readableBytes());
        ctx.fireExceptionCaught(
                new TooLongFrameException("line of " + length + " bytes, longer than the maximum of " + maxLine));
    }
}
