package dev.tcpkit.transport;

import dev.tcpkit.internal.Addresses;
import dev.tcpkit.options.Transport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How to open and run a listening socket.
 *
 * @param host the address to bind, or {@code null} for all interfaces; unused with {@code unix}
 * @param port the port; {@code 0} picks any free port; unused with {@code unix}
 * @param backlog the accept queue length passed to {@code listen(2)}
 * @param transport the I/O transport; {@link Transport#AUTO} picks the best available
 * @param threads event-loop threads; {@code 0} means one per available processor
 * @param once accept exactly one connection, stop listening at once, and terminate when it closes
 * @param drainTimeout how long {@link BoundServer#close()} lets open connections finish before closing them
 * @param shutdownDelay how long a graceful stop keeps accepting and serving before it stops listening and drains, so
 *     that a load balancer's health check takes the server out first; zero stops listening at once
 * @param unix the Unix domain socket file to listen at instead of a TCP port, or {@code null}
 */
public record ServerConfig(
        @Nullable String host,
        int port,
        int backlog,
        Transport transport,
        int threads,
        boolean once,
        Duration drainTimeout,
        Duration shutdownDelay,
        @Nullable Path unix) {
    /** {@code sun_path}'s 108 bytes, less the terminating zero. */
    private static final int MAX_UNIX_PATH_BYTES = 107;

    public ServerConfig {
        if (host != null) {
            host = Addresses.unbracket(host);
        }
        checkPort(port);
        checkBacklog(backlog);
        checkThreads(threads);
        checkDrainTimeout(drainTimeout);
        checkShutdownDelay(shutdownDelay);
        if (unix != null) {
            checkUnixPath(unix);
        }
    }

    /** Throws {@link IllegalArgumentException} unless {@code path} fits in a socket address ({@code sun_path}). */
    public static void checkUnixPath(Path path) {
        int bytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_UNIX_PATH_BYTES) {
            throw new IllegalArgumentException(
                    "unix socket path must be 1.." + MAX_UNIX_PATH_BYTES + " bytes: " + bytes + " in " + path);
        }
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

    /** Throws {@link IllegalArgumentException} if {@code shutdownDelay} is negative. */
    public static void checkShutdownDelay(Duration shutdownDelay) {
        if (shutdownDelay.isNegative()) {
            throw new IllegalArgumentException("shutdownDelay must be >= 0: " + shutdownDelay);
        }
    }

    /** {@code host:port} as users write it, with IPv6 literals in brackets, or {@code unix:PATH}. */
    String displayAddress() {
        if (unix != null) {
            return "unix:" + unix;
        }
        return Addresses.hostPort(host == null ? "0.0.0.0" : host, port);
    }
}
