package dev.tcpkit.output;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import java.time.Clock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Hands every byte a connection receives and sends to a {@code --hex-dump} {@link RecordWriter}: one {@link
 * HexDumpChunk} per read and per write, each direction's offset counting on from the last, the bytes retained, not
 * copied. Put it where the bytes are the application's (after TLS), ahead of the handlers that read and write them.
 *
 * <p>Backpressure, as for message records ({@link PendingRecords}): while more than {@value
 * PendingRecords#MAX_PENDING} bytes of this connection's chunks wait for the writer, reading from it pauses, and the
 * connection reports itself unwritable (a writability bit of its own), so that whoever feeds it (echo's reads, a
 * relay's upstream) pauses too, as for a client that does not read. Both resume once half of that is written.
 *
 * <p>One per connection, used on its event loop.
 */
public final class HexDumpHandler extends ChannelDuplexHandler {
    /** The outbound buffer's user-defined writability bit this handler clears while the dump is behind. */
    private static final int BEHIND = 1;

    private final RecordWriter writer;
    private final Function<Channel, String> peerOf;
    private final Clock clock;
    private @Nullable PendingRecords pending;
    private @Nullable String peer;
    private long received;
    private long sent;
    /** Whether this handler made the connection unwritable. */
    private boolean holding;

    /**
     * @param writer the dump's writer, from {@link RecordWriter#hexDump}
     * @param peerOf names the other end, once, at the first chunk: the client for a server, the server for a client
     */
    public HexDumpHandler(RecordWriter writer, Function<Channel, String> peerOf, Clock clock) {
        this.writer = writer;
        this.peerOf = peerOf;
        this.clock = clock;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        pending = new PendingRecords(writer, ctx.channel(), written -> caughtUp(ctx));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
            dump(ctx, true, received, bytes);
            received += bytes.readableBytes();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        submit();
        ctx.fireChannelReadComplete();
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // the caller's promise is passed on: the caller watches it
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // Bytes written to a closed connection go nowhere; their chunk could not be handed on after its last flush.
        if (msg instanceof ByteBuf bytes && bytes.isReadable() && ctx.channel().isActive()) {
            dump(ctx, false, sent, bytes);
            sent += bytes.readableBytes();
        }
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        submit();
        ctx.flush();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        submit();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        submit();
    }

    private void dump(ChannelHandlerContext ctx, boolean in, long offset, ByteBuf bytes) {
        PendingRecords p = pending;
        if (p == null) {
            return;
        }
        String name = peer;
        if (name == null) {
            name = peerOf.apply(ctx.channel());
            peer = name;
        }
        p.add(new HexDumpChunk(clock.millis(), name, in, offset, bytes.retainedSlice()));
        if (p.behind()) {
            // A service may turn reading back on meanwhile (a relay, when its upstream drains): at most one read more.
            ctx.channel().config().setAutoRead(false);
            if (!holding) {
                holding = true;
                setWritable(ctx.channel(), false);
            }
        }
    }

    private void submit() {
        PendingRecords p = pending;
        if (p != null) {
            p.submit();
        }
    }

    /**
     * Chunks were written; {@link PendingRecords} has turned reading back on if the dump caught up. The services after
     * this handler then get a writability event, the channel's own or this one, so that each applies its own rule
     * again (echo reads only while the client takes what it sends).
     */
    private void caughtUp(ChannelHandlerContext ctx) {
        PendingRecords p = pending;
        if (!holding || p == null || p.behind() || !ctx.channel().isActive()) {
            return;
        }
        holding = false;
        boolean wasWritable = ctx.channel().isWritable();
        setWritable(ctx.channel(), true);
        if (wasWritable == ctx.channel().isWritable()) {
            ctx.fireChannelWritabilityChanged();
        }
    }

    private static void setWritable(Channel channel, boolean writable) {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        if (buffer != null) {
            buffer.setUserDefinedWritability(BEHIND, writable);
        }
    }
}
