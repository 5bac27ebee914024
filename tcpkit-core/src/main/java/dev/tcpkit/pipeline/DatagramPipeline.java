package dev.tcpkit.pipeline;

import dev.tcpkit.connection.DatagramCounters;
import dev.tcpkit.connection.DatagramMeter;
import dev.tcpkit.guard.Guard;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelInitializer;
import java.util.function.Consumer;

/**
 * Assembles a UDP server's one channel, which every client's datagrams share. In order, from the socket inwards:
 *
 * <ol>
 *   <li>the guard ({@link #DATAGRAM_GUARD}): drops a datagram whose sender {@code --allow}/{@code --deny} refuse, or
 *       longer than the largest datagram;
 *   <li>the meter ({@link ServerPipeline#METER}): counts the datagrams and bytes that reach the service and those it
 *       sends;
 *   <li>the service's handler, named after the service ({@code Service.initDatagramChannel}).
 * </ol>
 *
 * What a TCP pipeline has besides (PROXY header, idle timeout, TLS, connection limits) needs a connection.
 */
@Sharable
public final class DatagramPipeline extends ChannelInitializer<Channel> {
    /** Drops the datagrams of refused senders and those too long, counting and logging them. */
    public static final String DATAGRAM_GUARD = "datagram-guard";

    private final Guard guard;
    private final DatagramCounters counters;
    private final int maxDatagram;
    private final Consumer<Channel> service;

    /**
     * @param maxDatagram the largest datagram the service is given, in bytes
     * @param service adds the service's handler, e.g. {@code Service::initDatagramChannel}
     */
    public DatagramPipeline(Guard guard, DatagramCounters counters, int maxDatagram, Consumer<Channel> service) {
        this.guard = guard;
        this.counters = counters;
        this.maxDatagram = maxDatagram;
        this.service = service;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline()
                .addLast(DATAGRAM_GUARD, guard.newDatagramGuard(counters, maxDatagram))
                .addLast(ServerPipeline.METER, new DatagramMeter(counters));
        service.accept(ch);
    }
}
