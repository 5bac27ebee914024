package dev.tcpkit.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

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
 */
public final class LineFrameDecoder extends ByteToMessageDecoder {
    private final int maxLine;
    /** Bytes at the start of the buffer already searched for {@code \n}: a new read does not search them again. */
    private int scanned;
    /** A line was too long: the connection is closing and what it still sends is dropped. */
    private boolean failed;

    public LineFrameDecoder(int maxLine) {
        if (maxLine < 1) {
            throw new IllegalArgumentException("maxLine must be >= 1: " + maxLine);
        }
        this.maxLine = maxLine;
    }

    /** The longest line accepted, in bytes, without its terminator. */
    public int maxLine() {
        return maxLine;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
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
        out.add(in.readRetainedSlice(length));
        in.skipBytes(lf + 1 - in.readerIndex());
    }

    /** At the end of input: an unterminated last line is a message too. */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
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
        out.add(in.readRetainedSlice(length));
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf in, String length) {
        failed = true;
        in.skipBytes(in.readableBytes());
        ctx.fireExceptionCaught(
                new TooLongFrameException("line of " + length + " bytes, longer than the maximum of " + maxLine));
    }
}
