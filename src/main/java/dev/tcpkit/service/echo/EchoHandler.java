package dev.tcpkit.service.echo;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes every received buffer back: written per read, flushed once per read burst.
 *
 * <p>Backpressure: when the connection's outbound buffer passes its high water mark (a peer that sends but does not
 * read), reading stops until it drains below the low mark, so the server holds at most about one water mark of
 * data per connection. When the peer shuts down its sending side, everything received is sent back and then the
 * connection is closed ({@link dev.tcpkit.service.CloseOnInputShutdown}), which is what netcat-style clients wait for.
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
        if (!ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // a failed close leaves nothing more to do
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("closing {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
