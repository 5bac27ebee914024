package dev.tcpkit;

import dev.tcpkit.security.ServerTls;
import dev.tcpkit.security.TlsProvider;
import dev.tcpkit.service.Service;
import dev.tcpkit.stats.ServerCounters;
import dev.tcpkit.transport.BindFailedException;
import dev.tcpkit.transport.BoundServer;
import dev.tcpkit.transport.ServerConfig;
import dev.tcpkit.transport.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A running TCP server: a listening socket serving a {@link Service} to every client.
 *
 * <pre>{@code
 * try (TcpServer server = TcpServer.builder()
 *         .bind("127.0.0.1", 0)
 *         .service(Services.echo())
 *         .start()) {
 *     int port = server.port();
 * }
 * }</pre>
 *
 * <p>{@link #close()} shuts down gracefully: it stops accepting, lets open connections finish for up to the drain
 * timeout, closes the rest, then closes the service (which flushes any output it writes).
 */
public final class TcpServer implements AutoCloseable {
    private final BoundServer bound;
    private final Service service;
    private final @Nullable ServerTls tls;
    private final CompletableFuture<Void> terminated;

    private TcpServer(BoundServer bound, Service service, @Nullable ServerTls tls) {
        this.bound = bound;
        this.service = service;
        this.tls = tls;
        // Also reached when a --once server's one connection ends, without close() being called.
        this.terminated = bound.terminationFuture().thenRun(service::close);
    }

    /** A builder for a server on all interfaces, port 50007, serving echo. */
    public static Builder builder() {
        return new Builder();
    }

    /** The port the server listens on: the one the kernel chose when built with port 0. */
    public int port() {
        return bound.localAddress().getPort();
    }

    /** The address the server listens on. */
    public InetSocketAddress localAddress() {
        return bound.localAddress();
    }

    /** {@code host:port} as shown in the start-up line, e.g. {@code 0.0.0.0:50007}. */
    public String displayAddress() {
        return bound.displayAddress();
    }

    /** The transport in use: io_uring, epoll or NIO, never {@link Transport#AUTO}. */
    public Transport transport() {
        return bound.transport();
    }

    /** The TLS implementation the server's connections use, or {@code null} if they are plain TCP. */
    public @Nullable TlsProvider tlsProvider() {
        return tls == null ? null : tls.provider();
    }

    /** The service being served. */
    public Service service() {
        return service;
    }

    /** Connections currently open. */
    public int openConnections() {
        return bound.openConnections();
    }

    /** What became of the connections this server saw: accepted, refused, denied, cut by a limit. */
    public ServerCounters counters() {
        return bound.counters();
    }

    /** Completes when the server has stopped and its service has flushed its output. */
    public CompletableFuture<Void> terminationFuture() {
        return terminated;
    }

    /** Blocks until the server has stopped: closed, or (with {@code once}) its one connection has ended. */
    public void awaitTermination() throws InterruptedException {
        try {
            terminated.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Stops gracefully (see the class comment); idempotent. Do not call from an event loop. */
    @Override
    public void close() {
        bound.close();
        terminated.join();
    }

    /** Configures and starts a {@link TcpServer}. */
    public static final class Builder {
        private @Nullable String host;
        private int port = 50007;
        private int backlog = 1024;
        private Transport transport = Transport.AUTO;
        private int threads;
        private boolean once;
        private Duration drainTimeout = Duration.ofSeconds(10);
        private @Nullable Service service;
        private @Nullable SslContext tls;
        private Duration tlsHandshakeTimeout = ServerTls.DEFAULT_HANDSHAKE_TIMEOUT;

        private Builder() {}

        /** Listens on {@code host} (a name or literal; {@code null} means all interfaces) and {@code port}. */
        public Builder bind(@Nullable String host, int port) {
            this.host = host;
            return port(port);
        }

        /** The port; {@code 0} picks any free port (read it back with {@link TcpServer#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be in 0..65535: " + port);
            }
            this.port = port;
            return this;
        }

        /** The accept queue length (default 1024). */
        public Builder backlog(int backlog) {
            if (backlog < 1) {
                throw new IllegalArgumentException("backlog must be >= 1: " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /** The I/O transport (default {@link Transport#AUTO}: io_uring, then epoll, then NIO). */
        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        /** Event-loop threads; {@code 0} (default) means one per available processor. */
        public Builder threads(int threads) {
            if (threads < 0) {
                throw new IllegalArgumentException("threads must be >= 0: " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Accept exactly one connection, stop listening at once, and stop when it closes (default false). */
        public Builder once(boolean once) {
            this.once = once;
            return this;
        }

        /** How long {@link TcpServer#close()} lets open connections finish (default 10 s; zero closes them at once). */
        public Builder drainTimeout(Duration drainTimeout) {
            if (drainTimeout.isNegative()) {
                throw new IllegalArgumentException("drainTimeout must be >= 0: " + drainTimeout);
            }
            this.drainTimeout = drainTimeout;
            return this;
        }

        /** What to do with each connection (default {@link Services#echo()}). */
        public Builder service(Service service) {
            this.service = service;
            return this;
        }

        /**
         * Serves every connection over TLS with {@code context}, a server context (build one from PEM files with
         * {@link dev.tcpkit.security.TlsContexts}, or with Netty's {@code SslContextBuilder.forServer}); {@code null}
         * (default) serves plain TCP. The service's handlers see the decrypted bytes. A client that sends something
         * other than TLS, or fails the handshake, is closed with one log line.
         */
        public Builder tls(@Nullable SslContext context) {
            if (context != null && !context.isServer()) {
                throw new IllegalArgumentException("tls needs a server SslContext, not a client one");
            }
            this.tls = context;
            return this;
        }

        /**
         * How long a client may take to complete the TLS handshake before it is closed (default 10 s), so that a
         * client that connects and says nothing cannot hold a connection; zero means no limit.
         */
        public Builder tlsHandshakeTimeout(Duration timeout) {
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("tlsHandshakeTimeout must be >= 0: " + timeout);
            }
            this.tlsHandshakeTimeout = timeout;
            return this;
        }

        /**
         * Binds and starts serving. If binding fails, the service is closed before the exception is thrown.
         *
         * @throws BindFailedException if the address cannot be listened on (in use, not permitted, unknown host)
         */
        public TcpServer start() throws BindFailedException {
            Service s = service != null ? service : Services.echo();
            ServerConfig config = new ServerConfig(host, port, backlog, transport, threads, once, drainTimeout);
            ServerTls serverTls = tls == null ? null : new ServerTls(tls, tlsHandshakeTimeout);
            try {
                return new TcpServer(BoundServer.bind(config, new ServiceInitializer(s, serverTls)), s, serverTls);
            } catch (BindFailedException | RuntimeException e) {
                s.close();
                throw e;
            }
        }
    }

    /** Hands each admitted connection to the service, behind TLS if the server has it. */
    @Sharable
    private static final class ServiceInitializer extends ChannelInitializer<Channel> {
        private final Service service;
        private final @Nullable ServerTls tls;

        ServiceInitializer(Service service, @Nullable ServerTls tls) {
            this.service = service;
            this.tls = tls;
        }

        @Override
        protected void initChannel(Channel ch) {
            if (tls != null) {
                tls.addTo(ch);
            }
            service.initChannel(ch);
        }
    }
}
