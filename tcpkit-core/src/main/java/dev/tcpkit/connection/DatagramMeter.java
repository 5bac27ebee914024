package dev.tcpkit.connection;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DatagramPacket;

/**
 * The {@code meter} stage of a UDP server's channel: counts each datagram that reaches the service and each one sent,
 * with their bytes, in the server's {@link DatagramCounters}. It goes after the server's guard, so that dropped
 * datagrams are counted as drops only.
 */
@Sharable
public final class DatagramMeter extends ChannelDuplexHandler {
    private final DatagramCounters counters;

    public DatagramMeter(DatagramCounters counters) {
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof DatagramPacket packet) {
            counters.countReceived(packet.content().readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // the promise passed on reports the outcome
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof DatagramPacket packet) {
            counters.countSent(packet.content().readableBytes());
        }
        ctx.write(msg, promise);
    }
}
