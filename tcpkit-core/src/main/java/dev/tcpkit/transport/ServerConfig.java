package dev.tcpkit.transport;

import dev.tcpkit.internal.Addresses;
import dev.tcpkit.options.Transport;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How to open and run a listening socket.
 *
 * @param host the address to bind, or {@code null} for all interfaces
 * @param port the port; {@code 0} picks any free port
 * @param backlog the accept queue length passed to {@code listen(2)}
 * @param transport the I/O transport; {@link Transport#AUTO} picks the best available
 * @param threads event-loop threads; {@code 0} means one per available processor
 * @param once accept exactly one connection, stop listening at once, and terminate when it closes
 * @param drainTimeout how long {@link BoundServer#close()} lets open connections finish before closing them
 */
public record ServerConfig(
        @Nullable String host,
        int port,
        int backlog,
        Transport transport,
        int threads,
        boolean once,
        Duration drainTimeout) {

    public ServerConfig {
        if (host != null) {
            host = Addresses.unbracket(host);
        }
        checkPort(port);
        checkBacklog(backlog);
        checkThreads(threads);
        checkDrainTimeout(drainTimeout);
    }

    /** Throws {@link IllegalArgumentException} unless {@code port} is in 0..65535. */
    public static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be in 0..65535: " + port);
        }
    }

    /** Throws {@link IllegalArgumentException} unless {@code backlog} is at least 1. */
    public static void checkBacklog(int backlog) {
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be >= 1: " + backlog);
        }
    }

    /** Throws {@link IllegalArgumentException} if {@code threads} is negative. */
    public static void checkThreads(int threads) {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0: " + threads);
        }
    }

    /** Throws {@link IllegalArgumentException} if {@code drainTimeout} is negative. */
    public static void checkDrainTimeout(Duration drainTimeout) {
        if (drainTimeout.isNegative()) {
            throw new IllegalArgumentException("drainTimeout must be >= 0: " + drainTimeout);
        }
    }

    /** {@code host:port} as users write it, with IPv6 literals in brackets. */
    String displayAddress() {
        return Addresses.hostPort(host == null ? "0.0.0.0" : host, port);
    }
}
