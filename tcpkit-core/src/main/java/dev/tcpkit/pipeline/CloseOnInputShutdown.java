package dev.tcpkit.pipeline;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Closes a connection once the peer has stopped sending, after everything written to it so far has gone out: what
 * Netty does by default, minus a loss. Goes after the service's handlers, on a channel that allows half-closure.
 *
 * <p>Netty 4.2.18's io_uring transport, on end of input, closes the connection before it fires {@code
 * channelReadComplete}, so a handler that writes per read and flushes per read burst (Netty's own idiom) loses its
 * last answer when a client sends and shuts down its side at once; epoll and NIO flush first. With half-closure
 * allowed, the end of input arrives here as an event instead, and the close waits for a flush.
 */
@Sharable
public final class CloseOnInputShutdown extends ChannelInboundHandlerAdapter {
    /** The one instance: it holds no state. */
    public static final CloseOnInputShutdown INSTANCE = new CloseOnInputShutdown();

    private CloseOnInputShutdown() {}

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        ctx.fireUserEventTriggered(evt);
    }
}
