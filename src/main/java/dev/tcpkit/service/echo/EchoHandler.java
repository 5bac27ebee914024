package dev.tcpkit.service.echo;

import dev.tcpkit.guard.ClientAddress;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every received buffer back: written per read, flushed once per read burst.
 *
 * <p>Backpressure: the write that takes the connection's outbound buffer past its high water mark (a peer that sends
 * but does not read) turns the channel unwritable, and reading stops right there, within the read that did it; it
 * resumes once the buffer drains below the low mark. So the server holds at most the high mark plus one read (64 KiB
 * each) for a client, however long it goes on sending without reading; the client is slowed, never cut. When the
 * peer shuts down its sending side, everything received is sent back and then the connection is closed
 * ({@link dev.tcpkit.service.CloseOnInputShutdown}), which is what netcat-style clients wait for.
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

    /** Fired by the very write that crosses a water mark, so reading stops before the next read. */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
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
