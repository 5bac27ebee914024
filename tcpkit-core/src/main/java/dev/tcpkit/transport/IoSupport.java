package dev.tcpkit.transport;

import dev.tcpkit.connection.UnixPeer;
import dev.tcpkit.options.Transport;
import dev.tcpkit.options.TransportUnavailableException;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.PeerCredentials;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringDomainSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerDomainSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A resolved transport: the event-loop factory and channel classes that belong together, for TCP and for Unix domain
 * stream sockets. Each transport has its own domain socket channel and its own kind of domain address: Netty's {@link
 * DomainSocketAddress} for epoll and io_uring, the JDK's {@link UnixDomainSocketAddress} for NIO.
 *
 * <p>Only this package creates event loops and bootstraps ({@link Bootstraps}), so that transport choice and its
 * fallbacks live in one place.
 */
public final class IoSupport {
    private final Transport transport;
    private final Supplier<IoHandlerFactory> ioHandlerFactory;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final Class<? extends Channel> channelClass;
    private final Class<? extends DatagramChannel> datagramChannelClass;
    private final Class<? extends Channel> domainChannelClass;
    private final Class<? extends ServerChannel> serverDomainChannelClass;
    private final Function<Path, SocketAddress> domainAddress;

    private IoSupport(
            Transport transport,
            Supplier<IoHandlerFactory> ioHandlerFactory,
            Class<? extends ServerChannel> serverChannelClass,
            Class<? extends Channel> channelClass,
            Class<? extends DatagramChannel> datagramChannelClass,
            Class<? extends Channel> domainChannelClass,
            Class<? extends ServerChannel> serverDomainChannelClass,
            Function<Path, SocketAddress> domainAddress) {
        this.transport = transport;
        this.ioHandlerFactory = ioHandlerFactory;
        this.serverChannelClass = serverChannelClass;
        this.channelClass = channelClass;
        this.datagramChannelClass = datagramChannelClass;
        this.domainChannelClass = domainChannelClass;
        this.serverDomainChannelClass = serverDomainChannelClass;
        this.domainAddress = domainAddress;
    }

    /**
     * Resolves {@code requested} to a transport that loads here.
     *
     * @throws TransportUnavailableException if a native transport was named explicitly and cannot load
     */
    public static IoSupport resolve(Transport requested) {
        return switch (requested) {
            case IO_URING -> {
                requireAvailable(Transport.IO_URING, IoUring.unavailabilityCause());
                yield ioUring();
            }
            case EPOLL -> {
                requireAvailable(Transport.EPOLL, Epoll.unavailabilityCause());
                yield epoll();
            }
            case NIO -> nio();
            // epoll first: as fast as io_uring for small messages, faster for bulk transfer, holds no read buffer
            // for an idle connection, and free of io_uring's ordering bugs in Netty 4.2.18 (docs/PERFORMANCE.md).
            case AUTO -> Epoll.isAvailable() ? epoll() : IoUring.isAvailable() ? ioUring() : nio();
        };
    }

    /**
     * The transport an open channel runs on, to dial from its own event loop with a channel of the same kind: an
     * accepted connection's {@code EpollSocketChannel} (or {@code EpollDomainSocketChannel}) gives epoll, and so on.
     *
     * @throws IllegalArgumentException if the channel is of none of tcpkit's transports
     */
    public static IoSupport of(Channel channel) {
        if (channel instanceof EpollSocketChannel || channel instanceof EpollDomainSocketChannel) {
            return epoll();
        }
        if (channel instanceof IoUringSocketChannel || channel instanceof IoUringDomainSocketChannel) {
            return ioUring();
        }
        if (channel instanceof NioSocketChannel || channel instanceof NioDomainSocketChannel) {
            return nio();
        }
        throw new IllegalArgumentException(
                "not a channel of tcpkit's transports: " + channel.getClass().getName());
    }

    /**
     * Who is at the other end of an accepted Unix domain connection: its process and user from {@code SO_PEERCRED}
     * on epoll and io_uring, {@link UnixPeer#UNKNOWN} on NIO, whose domain channel cannot read them.
     */
    static UnixPeer peerOf(Channel channel) {
        try {
            PeerCredentials credentials = channel instanceof EpollDomainSocketChannel epoll
                    ? epoll.peerCredentials()
                    : channel instanceof IoUringDomainSocketChannel ioUring ? ioUring.peerCredentials() : null;
            return credentials == null ? UnixPeer.UNKNOWN : new UnixPeer(credentials.pid(), credentials.uid());
        } catch (IOException gone) {
            return UnixPeer.UNKNOWN; // the peer left already; it will be seen closed
        }
    }

    /**
     * Why {@code transport} cannot run here, or {@code null} if it can; loads its native library to find out. NIO and
     * {@link Transport#AUTO} always can.
     */
    public static @Nullable Throwable unavailabilityCause(Transport transport) {
        return switch (transport) {
            case EPOLL -> Epoll.unavailabilityCause();
            case IO_URING -> IoUring.unavailabilityCause();
            case NIO, AUTO -> null;
        };
    }

    private static void requireAvailable(Transport transport, @Nullable Throwable cause) {
        if (cause != null) {
            throw new TransportUnavailableException(transport, cause);
        }
    }

    private static IoSupport ioUring() {
        return new IoSupport(
                Transport.IO_URING,
                IoUringIoHandler::newFactory,
                IoUringServerSocketChannel.class,
                IoUringSocketChannel.class,
                IoUringDatagramChannel.class,
                IoUringDomainSocketChannel.class,
                IoUringServerDomainSocketChannel.class,
                IoSupport::nativeDomainAddress);
    }

    private static IoSupport epoll() {
        return new IoSupport(
                Transport.EPOLL,
                FixedEpollIoHandler::newFactory,
                EpollServerSocketChannel.class,
                EpollSocketChannel.class,
                EpollDatagramChannel.class,
                EpollDomainSocketChannel.class,
                EpollServerDomainSocketChannel.class,
                IoSupport::nativeDomainAddress);
    }

    private static IoSupport nio() {
        return new IoSupport(
                Transport.NIO,
                NioIoHandler::newFactory,
                NioServerSocketChannel.class,
                NioSocketChannel.class,
                NioDatagramChannel.class,
                NioDomainSocketChannel.class,
                NioServerDomainSocketChannel.class,
                UnixDomainSocketAddress::of);
    }

    private static SocketAddress nativeDomainAddress(Path path) {
        return new DomainSocketAddress(path.toFile());
    }

    /** The concrete transport, never {@link Transport#AUTO}. */
    public Transport transport() {
        return transport;
    }

    /** A new event-loop group; {@code threads == 0} means one per available processor. */
    public EventLoopGroup newGroup(int threads, ThreadFactory threadFactory) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new MultiThreadIoEventLoopGroup(n, threadFactory, ioHandlerFactory.get());
    }

    Class<? extends ServerChannel> serverChannelClass() {
        return serverChannelClass;
    }

    Class<? extends Channel> channelClass() {
        return channelClass;
    }

    Class<? extends DatagramChannel> datagramChannelClass() {
        return datagramChannelClass;
    }

    Class<? extends Channel> domainChannelClass() {
        return domainChannelClass;
    }

    Class<? extends ServerChannel> serverDomainChannelClass() {
        return serverDomainChannelClass;
    }

    /** The address of the Unix domain socket at {@code path}, of the kind this transport's domain channels take. */
    public SocketAddress domainAddress(Path path) {
        return domainAddress.apply(path);
    }
}
