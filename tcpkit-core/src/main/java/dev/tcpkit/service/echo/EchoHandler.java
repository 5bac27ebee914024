package dev.tcpkit.service.echo;

import dev.tcpkit.connection.ClientAddress;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every received buffer back: written per read, flushed once per read burst.
 *
 * <p>Backpressure: the write that takes the connection's outbound buffer past its high water mark turns the channel
 * unwritable and is flushed at once. If the socket does not take it all (a peer that sends but does not read), reading
 * stops right there, within the read that did it; it
 * resumes once the buffer drains below the low mark. So the server holds at most the high mark plus one read (64 KiB
 * and 128 KiB) for a client, however long it goes on sending without reading; the client is slowed, never cut. When the
 * peer shuts down its sending side, everything received is sent back and then the connection is closed
 * ({@link dev.tcpkit.pipeline.CloseOnInputShutdown}), which is what netcat-style clients wait for.
 */
@Sharable
final class EchoHandler extends ChannelInboundHandlerAdapter {
    static final EchoHandler INSTANCE = new EchoHandler();
    private static final Logger log = LoggerFactory.getLogger(EchoHandler.class);

    private EchoHandler() {}

    /** The void promise spares a promise and a listener per message; a failed write arrives at exceptionCaught. */
    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // the void promise reports failures through the pipeline
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.write(msg, ctx.voidPromise());
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    /**
     * Fired by the very write that crosses a water mark. Crossing the high mark flushes at once: a socket that takes it
     * all (a fast reader streaming) makes the channel writable again and reading goes on, without a pause per read.
     * Only what the socket does not take stops reading, before the next read.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (!ctx.channel().isWritable()) {
            ctx.flush(); // may call this method again, writable, before it returns
        }
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // a failed close leaves nothing more to do
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing {}: {}", ClientAddress.format(ctx.channel()), cause.toString());
        ctx.close();
    }
}
