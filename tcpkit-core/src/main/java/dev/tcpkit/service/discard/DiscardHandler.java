package dev.tcpkit.service.discard;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** Releases everything it reads; Netty closes the connection when the peer stops sending. */
@Sharable
final class DiscardHandler extends ChannelInboundHandlerAdapter {
    static final DiscardHandler INSTANCE = new DiscardHandler();

    private DiscardHandler() {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // a failed close leaves nothing more to do
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
