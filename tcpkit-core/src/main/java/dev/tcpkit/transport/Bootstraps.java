package dev.tcpkit.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.ReflectiveChannelFactory;
import io.netty.channel.socket.DuplexChannelConfig;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Makes every bootstrap tcpkit listens or dials with, on a resolved transport: the channel class that belongs to the
 * event loops, and the options every socket of that kind gets. Callers add only what is theirs (a backlog, a read
 * size, the handler).
 */
public final class Bootstraps {
    private Bootstraps() {}

    /**
     * A listening socket's bootstrap: the address may be bound again at once after a restart ({@code SO_REUSEADDR}),
     * and accepted connections send small writes without waiting (Nagle off).
     *
     * @param group event loops made by {@code io}, which accept and serve the connections
     */
    public static ServerBootstrap server(IoSupport io, EventLoopGroup group) {
        return new ServerBootstrap()
                .group(group)
                .channel(io.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true);
    }

    /**
     * A bootstrap listening on a Unix domain stream socket: the address is {@link IoSupport#domainAddress}'s, the
     * socket file made ready by {@link SocketFile} first. Netty's domain server channels remove the file when they
     * close.
     *
     * @param group event loops made by {@code io}, which accept and serve the connections
     */
    public static ServerBootstrap unixServer(IoSupport io, EventLoopGroup group) {
        return new ServerBootstrap().group(group).channel(io.serverDomainChannelClass());
    }

    /**
     * A UDP server's bootstrap: one datagram channel that receives from and answers every client. No {@code
     * SO_REUSEADDR}: on Linux it would let a second server bind the same UDP port and share its datagrams.
     *
     * @param group event loops made by {@code io}; the channel runs on one of them
     */
    public static Bootstrap datagram(IoSupport io, EventLoopGroup group) {
        return new Bootstrap().group(group).channel(io.datagramChannelClass());
    }

    /**
     * A dialling bootstrap: small writes go out without waiting (Nagle off), and a connect that takes longer than
     * {@code connectTimeout} fails.
     *
     * @param group event loops made by {@code io}; each connection runs on the next of them. To dial an upstream for
     *     an accepted connection, pass that connection's own {@code eventLoop()}: both ends then run on one thread,
     *     with no hand-off between them.
     * @param connectTimeout how long a connect may take; longer than about 24 days counts as that
     */
    public static Bootstrap client(IoSupport io, EventLoopGroup group, Duration connectTimeout) {
        return dialling(group, connectTimeout).channel(io.channelClass()).option(ChannelOption.TCP_NODELAY, true);
    }

    /**
     * A bootstrap that dials the Unix domain stream socket at {@code path} ({@code connect()} with no address): a
     * connect that takes longer than {@code connectTimeout} fails; a missing file fails with "no such file or
     * directory", a file nobody listens on with "connection refused". Half-closure is allowed: the end of the peer's
     * output is a {@code ChannelInputShutdownEvent}, not a close, and the channel is a {@code DuplexChannel}. Except
     * on NIO and io_uring: there Netty 4.2.18's domain channel closes at its input's end whatever its config says
     * (io_uring's {@code AbstractIoUringChannel.isAllowHalfClosure} asks only a {@code SocketChannelConfig}, which its
     * domain channel's config is not), so the peer's half-close arrives as a close.
     *
     * @param group event loops made by {@code io}, as for {@link #client}
     */
    public static Bootstrap unixClient(IoSupport io, EventLoopGroup group, Duration connectTimeout, Path path) {
        ReflectiveChannelFactory<? extends Channel> channels = new ReflectiveChannelFactory<>(io.domainChannelClass());
        // Set on the config, not as ALLOW_HALF_CLOSURE: Netty 4.2.18's NIO domain channel ignores that option.
        ChannelFactory<Channel> halfClosing = () -> {
            Channel channel = channels.newChannel();
            ((DuplexChannelConfig) channel.config()).setAllowHalfClosure(true);
            return channel;
        };
        return dialling(group, connectTimeout).channelFactory(halfClosing).remoteAddress(io.domainAddress(path));
    }

    /**
     * A bootstrap for a datagram channel that {@code connect}s to one peer: it sends there without naming the address,
     * receives only that peer's datagrams, and hears of an ICMP port unreachable (nobody listens) as "connection
     * refused" on its next read. Reads take datagrams of up to {@code maxDatagram} bytes; a longer one arrives cut to
     * that length.
     *
     * @param group event loops made by {@code io}, as for {@link #client}
     */
    public static Bootstrap datagramClient(IoSupport io, EventLoopGroup group, int maxDatagram) {
        return new Bootstrap()
                .group(group)
                .channel(io.datagramChannelClass())
                .option(ChannelOption.RECVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(maxDatagram));
    }

    private static Bootstrap dialling(EventLoopGroup group, Duration connectTimeout) {
        return new Bootstrap().group(group).option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
    }

    /**
     * A host name resolver for dialling bootstraps ({@code Bootstrap.resolver}) that never blocks an event loop:
     * {@code /etc/hosts}, then the DNS servers of {@code /etc/resolv.conf}, asked over {@code io}'s datagram channels
     * from the dialling event loop itself. Netty's default resolver asks the JDK, which blocks the loop (and every
     * connection on it) for as long as a DNS server takes to answer. Close it when done: it holds a resolver, and its
     * cache, per event loop.
     */
    public static AddressResolverGroup<InetSocketAddress> resolver(IoSupport io) {
        return new DnsAddressResolverGroup(new DnsNameResolverBuilder().datagramChannelType(io.datagramChannelClass()));
    }
}
