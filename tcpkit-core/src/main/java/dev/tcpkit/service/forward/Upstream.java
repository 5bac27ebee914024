package dev.tcpkit.service.forward;

import dev.tcpkit.transport.Bootstraps;
import dev.tcpkit.transport.IoSupport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * One {@code --to} upstream: how to dial it (TCP to a host and port, or a Unix domain socket), and until when it counts
 * as down after a failed connect. Read and marked from every event loop.
 */
abstract class Upstream {
    private final String text;
    private final UpstreamMeters meters = new UpstreamMeters();
    /** Whether the last connect failed; a success clears it. */
    private volatile boolean down;
    /** {@link System#nanoTime()} until which this upstream is tried last, while {@link #down}. */
    private volatile long downUntil;

    private Upstream(String text) {
        this.text = text;
    }

    /** A TCP upstream; the host is looked up on each connect, so a changed address is followed. */
    static Upstream tcp(String host, int port) {
        return new Tcp(host, port);
    }

    /** A Unix domain stream socket upstream. */
    static Upstream unix(Path path) {
        return new Unix(path);
    }

    /**
     * A bootstrap that dials this upstream on {@code io}'s channels ({@code connect()} with no address), half-closure
     * allowed.
     */
    abstract Bootstrap bootstrap(IoSupport io, EventLoopGroup group, Duration connectTimeout);

    /**
     * The host a TLS certificate is checked against when no SNI name is given: the host as given (a name, or an IP
     * literal, IPv6 without brackets), or {@code localhost} for a Unix socket.
     */
    abstract String host();

    /** The port dialled, or -1 for a Unix socket. */
    abstract int port();

    UpstreamMeters meters() {
        return meters;
    }

    boolean isUp(long now) {
        return !down || now - downUntil >= 0;
    }

    void markDown(long until) {
        downUntil = until;
        down = true;
    }

    void markUp() {
        down = false;
    }

    /** {@code host:port} (an IPv6 literal in brackets) or {@code unix:PATH}. */
    @Override
    public String toString() {
        return text;
    }

    private static final class Tcp extends Upstream {
        private final String host;
        private final int port;

        Tcp(String host, int port) {
            super((host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port);
            this.host = host;
            this.port = port;
        }

        @Override
        Bootstrap bootstrap(IoSupport io, EventLoopGroup group, Duration connectTimeout) {
            return Bootstraps.client(io, group, connectTimeout)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    // Unresolved: the name is looked up on each connect.
                    .remoteAddress(InetSocketAddress.createUnresolved(host, port));
        }

        @Override
        String host() {
            return host;
        }

        @Override
        int port() {
            return port;
        }
    }

    private static final class Unix extends Upstream {
        private final Path path;

        Unix(Path path) {
            super("unix:" + path);
            this.path = path;
        }

        @Override
        Bootstrap bootstrap(IoSupport io, EventLoopGroup group, Duration connectTimeout) {
            return Bootstraps.unixClient(io, group, connectTimeout, path);
        }

        @Override
        String host() {
            return "localhost";
        }

        @Override
        int port() {
            return -1;
        }
    }
}
