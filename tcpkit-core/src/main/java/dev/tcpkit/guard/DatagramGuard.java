package dev.tcpkit.guard;

import dev.tcpkit.connection.DatagramCounters;
import dev.tcpkit.connection.DatagramCounters.Drop;
import dev.tcpkit.internal.Addresses;
import dev.tcpkit.internal.RateLimitedLog;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import org.jspecify.annotations.Nullable;

/**
 * The first stage of a UDP server's channel: drops a datagram whose sender {@code --allow}/{@code --deny} refuse, and
 * one longer than the largest datagram. The channel reads into buffers one byte longer than that, so a datagram the
 * kernel had to cut fills its buffer and is known. Each drop is counted by reason and logged at most once a second
 * per reason; a dropped datagram never reaches the service.
 */
@Sharable
final class DatagramGuard extends ChannelInboundHandlerAdapter {
    private final AccessRules access;
    private final int maxDatagram;
    private final DatagramCounters counters;
    private final RateLimitedLog denials;
    private final RateLimitedLog drops;

    DatagramGuard(
            AccessRules access,
            int maxDatagram,
            DatagramCounters counters,
            RateLimitedLog denials,
            RateLimitedLog drops) {
        this.access = access;
        this.maxDatagram = maxDatagram;
        this.counters = counters;
        this.denials = denials;
        this.drops = drops;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String denial = denial(packet);
        if (denial != null) {
            packet.release();
            counters.countDropped(Drop.DENIED);
            denials.log(Addresses.format(packet.sender()), denial);
        } else if (packet.content().readableBytes() > maxDatagram) {
            packet.release();
            counters.countDropped(Drop.TOO_LONG);
            String why = "datagram longer than " + maxDatagram + " bytes (--max-line)";
            drops.log(Addresses.format(packet.sender()), why);
        } else {
            ctx.fireChannelRead(packet);
        }
    }

    private @Nullable String denial(DatagramPacket packet) {
        return access.denial(Addresses.unmapped(packet.sender().getAddress()));
    }
}
