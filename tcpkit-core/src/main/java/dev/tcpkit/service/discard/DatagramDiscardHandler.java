package dev.tcpkit.service.discard;

import dev.tcpkit.connection.DatagramCounters;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/** Discard over UDP: drops each datagram; the server's meter has counted it. */
final class DatagramDiscardHandler extends ChannelInboundHandlerAdapter {
    private final DatagramCounters counters;

    DatagramDiscardHandler(DatagramCounters counters) {
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        counters.countAnswered();
    }

    /** Errors on a UDP socket concern one datagram or one client: the server goes on. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {}
}
