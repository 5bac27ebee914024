package dev.tcpkit.service.echo;

import dev.tcpkit.connection.DatagramCounters;
import dev.tcpkit.connection.DatagramCounters.Drop;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Echo over UDP: sends each datagram back to its sender, unchanged, from the socket it arrived on (so from the port
 * the client sent to); flushed once per read burst. A datagram that finds the send buffer above its high water mark
 * is dropped and counted, not queued: UDP may lose it anyway, and memory stays bounded whatever the clients send.
 */
final class DatagramEchoHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(DatagramEchoHandler.class);

    private final DatagramCounters counters;

    DatagramEchoHandler(DatagramCounters counters) {
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!ctx.channel().isWritable()) {
            packet.release();
            counters.countDropped(Drop.UNWRITABLE);
            return;
        }
        ctx.write(new DatagramPacket(packet.content(), packet.sender())).addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                counters.countAnswered();
            } else {
                log.debug("echo to {} failed: {}", packet.sender(), f.cause().toString());
            }
        });
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    /** A failed send (an ICMP unreachable from an earlier answer) concerns one client: the server goes on. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("echo: {}", cause.toString());
    }
}
