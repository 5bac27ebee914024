package dev.tcpkit;

import dev.tcpkit.admin.AdminConfig;
import dev.tcpkit.admin.AdminServer;
import dev.tcpkit.admin.ConfiguredLimits;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.ConnectionRegistry;
import dev.tcpkit.connection.DatagramCounters;
import dev.tcpkit.connection.ServerCounters;
import dev.tcpkit.guard.Cidr;
import dev.tcpkit.guard.Guard;
import dev.tcpkit.guard.GuardConfig;
import dev.tcpkit.internal.Durations;
import dev.tcpkit.options.BindFailedException;
import dev.tcpkit.options.ReloadFailedException;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.options.TlsSetupException;
import dev.tcpkit.options.TlsSource;
import dev.tcpkit.options.Transport;
import dev.tcpkit.pipeline.DatagramPipeline;
import dev.tcpkit.pipeline.ServerPipeline;
import dev.tcpkit.security.ServerTls;
import dev.tcpkit.service.Service;
import dev.tcpkit.transport.BoundServer;
import dev.tcpkit.transport.ServerConfig;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>{@link #close()} shuts down gracefully: from its first moment the admin endpoint's {@code /health} answers 503
 * ({@link #draining()}); it keeps accepting for the shutdown delay ({@link Builder#shutdownDelay}, zero by default) so
 * that a load balancer takes the server out first, then stops accepting, lets open connections finish for up to the
 * drain timeout, closes the rest, then closes the service, which flushes any output it writes within what is left of the
 * drain timeout (at least 1 s). A server whose service fails ({@link Service#failure()}: its output failed) stops by
 * itself, at once: it stops accepting and closes every connection with the failure as the reason, then closes the
 * service as above.
 *
 * <p>Every connection passes the server's guard before the service sees it: access control ({@link Builder#allow},
 * {@link Builder#deny}), connection limits, the PROXY protocol header; and once admitted, the idle timeout. A
 * connection turned away is closed before anything is read from it or written to it, counted in {@link #counters()},
 * and logged at most once a second per kind ({@code refused}, {@code denied}, {@code cut}).
 *
 * <p>With {@link Builder#udp}, the same handle serves datagrams on a UDP port instead (echo, discard, reply, log): the
 * access rules drop refused senders' datagrams, and {@link #datagrams()} counts what became of them.
 *
 * <p>A {@code TcpServer} is the running handle only: {@link Builder} collects and checks what it is made of into an
 * immutable spec, and {@link Builder#start()} binds it. How its limits are shown belongs to the admin endpoint
 * ({@link ConfiguredLimits}) and to the start-up line, which is made from {@link #displayAddress()}, {@link
 * #transport()} and {@link #tlsProvider()}.
 */
public final class TcpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TcpServer.class);
    /** The least time the final flush gets, whatever the drain left of the drain timeout. */
    private static final Duration LAST_RECORDS = Duration.ofSeconds(1);
    /** {@link #drainRequested}'s value until the stop begins. */
    private static final long NOT_YET = Long.MIN_VALUE;

    private final ServerSpec spec;
    private final BoundServer bound;
    private final ConnectionRegistry connections;
    private final @Nullable DatagramCounters datagrams;
    private final @Nullable ServerTls tls;
    private volatile @Nullable AdminServer admin;
    private final CompletableFuture<Void> terminated;
    /**
     * When the stop was asked for ({@link System#nanoTime}), or {@link #NOT_YET}: from then on {@code /health} says
     * draining, and the shutdown delay counts from there.
     */
    private final AtomicLong drainRequested = new AtomicLong(NOT_YET);
    /** Opened when the shutdown delay is over early: {@link #endShutdownDelay()}, or the output failed. */
    private final CountDownLatch delayEnded = new CountDownLatch(1);
    /** Set when listening stops, with when ({@link System#nanoTime}): the drain timeout counts from there. */
    private final AtomicBoolean stopping = new AtomicBoolean();

    private volatile long stopStarted;

    private TcpServer(
            ServerSpec spec,
            BoundServer bound,
            ConnectionRegistry connections,
            @Nullable DatagramCounters datagrams,
            @Nullable ServerTls tls) {
        this.spec = spec;
        this.bound = bound;
        this.connections = connections;
        this.datagrams = datagrams;
        this.tls = tls;
        Service service = spec.service();
        // Also reached when a --once server's one connection ends, without close() being called. The admin endpoint
        // stays up while connections drain, so the page shows them leaving.
        this.terminated = bound.terminationFuture().thenRun(() -> {
            AdminServer a = admin;
            if (a != null) {
                a.close();
            }
            service.close(timeLeftToFlush());
        });
        // A server whose output failed would take messages it can no longer record, and look healthy to a
        // balancer's TCP check while doing so: it stops, and a supervisor or the balancer sees it gone.
        var unused = service.failure().thenAccept(reason -> {
            Thread stop = new Thread(
                    () -> {
                        drainRequested();
                        delayEnded.countDown();
                        stopStarting();
                        bound.abort(CloseReason.OUTPUT_FAILED, reason);
                    },
                    "tcpkit-shutdown");
            stop.start();
        });
    }

    /**
     * Binds {@code spec}'s address and starts serving, then the admin endpoint if it has one. If binding fails, the
     * service is closed before the exception is thrown.
     */
    static TcpServer start(ServerSpec spec) throws BindFailedException {
        Service service = spec.service();
        ServerCounters counters = new ServerCounters();
        ConnectionRegistry connections =
                new ConnectionRegistry(service.name(), service.announcesConnections(), Clock.systemUTC());
        ServerTls tls = spec.serverTls();
        TcpServer server;
        try {
            Guard guard = new Guard(spec.guard(), counters);
            if (spec.udp()) {
                DatagramCounters datagrams = new DatagramCounters(connections);
                BoundServer bound = BoundServer.bindDatagrams(
                        spec.server(),
                        counters,
                        datagrams,
                        spec.maxDatagram(),
                        new DatagramPipeline(guard, datagrams, spec.maxDatagram(), service::initDatagramChannel));
                server = new TcpServer(spec, bound, connections, datagrams, tls);
            } else {
                BoundServer bound = BoundServer.bind(
                        spec.server(), counters, new ServerPipeline(guard, tls, connections, service::initChannel));
                server = new TcpServer(spec, bound, connections, null, tls);
            }
        } catch (BindFailedException | RuntimeException e) {
            service.close(spec.server().drainTimeout());
            throw e;
        }
        AdminConfig adminConfig = spec.admin();
        if (adminConfig != null) {
            try {
                server.admin = AdminServer.start(adminConfig, server.adminView());
            } catch (BindFailedException | RuntimeException e) {
                server.close();
                throw e;
            }
        }
        return server;
    }

    /**
     * Reloads what the server took from files at start, for the connections accepted from now on; open connections
     * keep working as they were. The TLS certificate and key are read again from their files (when the server's TLS
     * came from a {@link TlsSource}), and the service reloads its own (a {@code reply}, {@code log} or {@code chat}
     * service reopens its output file at its path, for a log rotation). Each part is reloaded or keeps what it had.
     * The command line calls this on {@code SIGHUP}.
     *
     * @return what was reloaded, e.g. {@code ["tls certificate", "output file"]}; empty if nothing can be
     * @throws ReloadFailedException if a part failed: its message says which and why in one line; the other parts
     *     were reloaded all the same
     */
    public synchronized List<String> reload() throws ReloadFailedException {
        List<String> reloaded = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        TlsSource tlsSource = spec.tlsSource();
        ServerTls serverTls = tls;
        if (tlsSource != null && serverTls != null) {
            try {
                serverTls.replace(tlsSource.load());
                reloaded.add("tls certificate");
            } catch (IOException | RuntimeException e) {
                failures.add("tls certificate (" + e.getMessage() + ")");
            }
        }
        try {
            reloaded.addAll(spec.service().reload());
        } catch (IOException e) {
            failures.add(spec.service().name() + " (" + e.getMessage() + ")");
        }
        if (!failures.isEmpty()) {
            throw new ReloadFailedException(reloaded, failures);
        }
        return List.copyOf(reloaded);
    }

    /** What the admin endpoint shows of this server. */
    private AdminServer.View adminView() {
        return new AdminServer.View(
                spec.service().name(),
                displayAddress(),
                transport(),
                Instant.ofEpochMilli(System.currentTimeMillis()),
                connections,
                counters(),
                ConfiguredLimits.of(spec.server(), spec.guard(), tlsProvider()),
                spec.service()::bindMeters,
                datagrams,
                this::draining,
                spec.service().sinkBacklog());
    }

    /** When the stop was first asked for: now, if this is the first time. */
    private long drainRequested() {
        long now = System.nanoTime();
        return drainRequested.compareAndSet(NOT_YET, now) ? now : drainRequested.get();
    }

    /**
     * Keeps serving until the shutdown delay, counted from the first request to stop, is over or {@link
     * #endShutdownDelay()} ends it.
     */
    private void awaitShutdownDelay(long requested) {
        Duration delay = spec.server().shutdownDelay();
        long left = requested + delay.toNanos() - System.nanoTime();
        if (left <= 0 || delayEnded.getCount() == 0) {
            return;
        }
        log.atInfo()
                .addKeyValue("event", "shutdown-delay")
                .addKeyValue("service", spec.service().name())
                .addKeyValue("millis", delay.toMillis())
                .log("stopping: still serving for {} while /health answers 503", Durations.format(delay));
        try {
            if (delayEnded.await(left, TimeUnit.NANOSECONDS)) {
                log.info("shutdown delay ended early");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void stopStarting() {
        if (stopping.compareAndSet(false, true)) {
            stopStarted = System.nanoTime();
        }
    }

    /**
     * What is left of the drain timeout for the service's final flush, and at least {@link #LAST_RECORDS}: the
     * connections the drain timeout closed have just handed over their last records. A --once server that ended by
     * itself has the whole drain timeout.
     */
    private Duration timeLeftToFlush() {
        Duration spent = stopping.get() ? Duration.ofNanos(System.nanoTime() - stopStarted) : Duration.ZERO;
        Duration left = spec.server().drainTimeout().minus(spent);
        return left.compareTo(LAST_RECORDS) < 0 ? LAST_RECORDS : left;
    }

    /** A builder for a server on all interfaces, port 50007, serving echo. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The port the server listens on: the one the kernel chose when built with port 0.
     *
     * @throws IllegalStateException if it listens on a Unix domain socket ({@link #unixPath()})
     */
    public int port() {
        return bound.localAddress().getPort();
    }

    /**
     * The address the server listens on.
     *
     * @throws IllegalStateException if it listens on a Unix domain socket ({@link #unixPath()})
     */
    public InetSocketAddress localAddress() {
        return bound.localAddress();
    }

    /** The Unix domain socket file the server listens at ({@link Builder#unix}), or {@code null} for a TCP port. */
    public @Nullable Path unixPath() {
        return spec.server().unix();
    }

    /** {@code host:port} as shown in the start-up line, e.g. {@code 0.0.0.0:50007}, or {@code unix:PATH}. */
    public String displayAddress() {
        return bound.displayAddress();
    }

    /** The transport in use: io_uring, epoll or NIO, never {@link Transport#AUTO}. */
    public Transport transport() {
        return bound.transport();
    }

    /** The TLS implementation the server's connections use, or {@code null} if they are plain TCP. */
    public @Nullable TlsProvider tlsProvider() {
        SslContext tls = spec.tls();
        return tls == null ? null : TlsProvider.of(tls);
    }

    /** The service being served. */
    public Service service() {
        return spec.service();
    }

    /** Connections currently open. */
    public int openConnections() {
        return bound.openConnections();
    }

    /** What became of the connections this server saw: accepted, refused, denied, cut by a limit. */
    public ServerCounters counters() {
        return bound.counters();
    }

    /**
     * With {@link Builder#udp}, what became of the datagrams: received, answered, sent, dropped by reason; {@code null}
     * for a TCP server. Their bytes and messages count in {@link #connections()}'s totals.
     */
    public @Nullable DatagramCounters datagrams() {
        return datagrams;
    }

    /** The open connections with their traffic, and the server's byte and message totals. */
    public ConnectionRegistry connections() {
        return connections;
    }

    /** The admin endpoint's address ({@link Builder#admin}), or {@code null} when it has none. */
    public @Nullable InetSocketAddress adminAddress() {
        AdminServer a = admin;
        return a == null ? null : a.localAddress();
    }

    /** The admin page's URL, e.g. {@code http://127.0.0.1:9090/}, or {@code null} when there is no admin endpoint. */
    public @Nullable String adminUrl() {
        AdminServer a = admin;
        return a == null ? null : a.url();
    }

    /** Completes when the server has stopped and its service has flushed its output. */
    public CompletableFuture<Void> terminationFuture() {
        return terminated;
    }

    /** Blocks until the server has stopped: closed, or (with {@code once}) its one connection has ended. */
    public void awaitTermination() throws InterruptedException {
        try {
            terminated.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Whether the server has begun to stop ({@link #close()} was called, or its output failed): the admin endpoint's
     * {@code /health} then answers {@code 503 {"status":"draining"}}, through the shutdown delay and the drain.
     */
    public boolean draining() {
        return drainRequested.get() != NOT_YET;
    }

    /**
     * Ends the shutdown delay at once: a {@link #close()} waiting it out stops listening and drains now, and one called
     * later does not wait. The command line calls this on a second SIGTERM or Ctrl-C.
     */
    public void endShutdownDelay() {
        delayEnded.countDown();
    }

    /**
     * Stops gracefully (see the class comment): blocks through the shutdown delay, the drain and the final flush;
     * idempotent, and a call made during another's delay waits for the same end of it. Do not call from an event loop.
     */
    @Override
    public void close() {
        awaitShutdownDelay(drainRequested());
        stopStarting();
        bound.close();
        terminated.join();
    }

    /** Configures and starts a {@link TcpServer}. */
    public static final class Builder {
        private @Nullable String host;
        private int port = 50007;
        private @Nullable Path unix;
        private int backlog = 1024;
        private Transport transport = Transport.AUTO;
        private int threads;
        private boolean once;
        private Duration drainTimeout = Duration.ofSeconds(10);
        private Duration shutdownDelay = Duration.ZERO;
        private @Nullable Service service;
        private @Nullable String adminHost;
        private int adminPort = -1;
        private @Nullable String adminToken;
        private final List<String> adminAllowedHosts = new ArrayList<>();
        private Duration adminRequestTimeout = AdminConfig.DEFAULT_REQUEST_TIMEOUT;
        private int maxConnections;
        private int maxConnectionsPerIp;
        private Duration idleTimeout = Duration.ZERO;
        private final List<Cidr> allow = new ArrayList<>();
        private final List<Cidr> deny = new ArrayList<>();
        private boolean proxyProtocol;
        private final List<Cidr> proxyFrom = new ArrayList<>();
        private Duration proxyHeaderTimeout = GuardConfig.DEFAULT_PROXY_HEADER_TIMEOUT;
        private @Nullable SslContext tls;
        private @Nullable TlsSource tlsSource;
        private Duration tlsHandshakeTimeout = ServerTls.DEFAULT_HANDSHAKE_TIMEOUT;
        private boolean udp;
        private int maxDatagram = 64 * 1024;

        private Builder() {}

        /** Listens on {@code host} (a name or literal; {@code null} means all interfaces) and {@code port}. */
        public Builder bind(@Nullable String host, int port) {
            this.host = host;
            this.unix = null;
            return port(port);
        }

        /**
         * Listens on a Unix domain stream socket at {@code path} instead of a TCP port. A socket file there that
         * nobody listens on is replaced; one a server listens on fails the start ("address already in use"), and
         * anything else there is never touched. The file is removed when the server stops. Each client is shown as
         * {@code unix:pid=PID,uid=UID}, from its credentials where the transport reads them (epoll, io_uring; NIO
         * shows {@code unix:?}). Access rules ({@link #allow}, {@link #deny}) and {@link #maxConnectionsPerIp} are for
         * IP addresses: with them, {@link #start()} throws {@link IllegalArgumentException}.
         *
         * @throws IllegalArgumentException if the path does not fit in a socket address (107 bytes)
         */
        public Builder unix(Path path) {
            ServerConfig.checkUnixPath(path);
            this.unix = path;
            this.host = null;
            return this;
        }

        /** The port; {@code 0} picks any free port (read it back with {@link TcpServer#port()}). */
        public Builder port(int port) {
            ServerConfig.checkPort(port);
            this.port = port;
            return this;
        }

        /** The accept queue length (default 1024). */
        public Builder backlog(int backlog) {
            ServerConfig.checkBacklog(backlog);
            this.backlog = backlog;
            return this;
        }

        /** The I/O transport (default {@link Transport#AUTO}: epoll, then io_uring, then NIO). */
        public Builder transport(Transport transport) {
            this.transport = transport;
            return this;
        }

        /** Event-loop threads; {@code 0} (default) means one per available processor. */
        public Builder threads(int threads) {
            ServerConfig.checkThreads(threads);
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
            ServerConfig.checkDrainTimeout(drainTimeout);
            this.drainTimeout = drainTimeout;
            return this;
        }

        /**
         * How long {@link TcpServer#close()} keeps accepting and serving before it stops listening and drains (default
         * zero: it stops listening at once). Meanwhile the admin endpoint's {@code /health} answers 503, so that a load
         * balancer checking it takes this server out before it stops accepting: a rolling restart loses no
         * connection. {@link TcpServer#endShutdownDelay()} ends it early.
         */
        public Builder shutdownDelay(Duration shutdownDelay) {
            ServerConfig.checkShutdownDelay(shutdownDelay);
            this.shutdownDelay = shutdownDelay;
            return this;
        }

        /**
         * The most connections open at once (default {@code 0}: no limit). One more is accepted and closed at once,
         * counted as refused; the open ones are not affected.
         */
        public Builder maxConnections(int maxConnections) {
            GuardConfig.checkMaxConnections(maxConnections);
            this.maxConnections = maxConnections;
            return this;
        }

        /**
         * The most connections open at once from one client address (default {@code 0}: no limit); with the PROXY
         * protocol, the address its header names. One more is accepted and closed at once, counted as refused.
         */
        public Builder maxConnectionsPerIp(int maxConnectionsPerIp) {
            GuardConfig.checkMaxConnectionsPerIp(maxConnectionsPerIp);
            this.maxConnectionsPerIp = maxConnectionsPerIp;
            return this;
        }

        /**
         * Cuts a connection on which nothing was read or written for this long (default zero: never). Output still
         * draining to a slowly reading client counts as activity.
         */
        public Builder idleTimeout(Duration idleTimeout) {
            GuardConfig.checkIdleTimeout(idleTimeout);
            this.idleTimeout = idleTimeout;
            return this;
        }

        /**
         * Lets in only clients in the given blocks ({@code 10.0.0.0/8}, {@code ::1}); repeatable. A {@link #deny}
         * block wins over an allow block.
         *
         * @throws IllegalArgumentException if {@code cidr} is not an IP literal with an optional prefix length
         */
        public Builder allow(String cidr) {
            allow.add(Cidr.parse(cidr));
            return this;
        }

        /**
         * Closes connections from clients in the given block before anything is read or written; repeatable.
         *
         * @throws IllegalArgumentException if {@code cidr} is not an IP literal with an optional prefix length
         */
        public Builder deny(String cidr) {
            deny.add(Cidr.parse(cidr));
            return this;
        }

        /**
         * Whether every connection starts with a HAProxy PROXY v1 or v2 header (default false). The client it names
         * is the one access rules check, per-address limits count, and services show; the header is accepted only
         * from {@link #proxyFrom} peers, and a connection without a valid one is closed.
         */
        public Builder proxyProtocol(boolean proxyProtocol) {
            this.proxyProtocol = proxyProtocol;
            return this;
        }

        /**
         * A block of proxies trusted to send the PROXY header; repeatable. The first call replaces the default, this
         * host ({@code 127.0.0.0/8} and {@code ::1}).
         *
         * @throws IllegalArgumentException if {@code cidr} is not an IP literal with an optional prefix length
         */
        public Builder proxyFrom(String cidr) {
            proxyFrom.add(Cidr.parse(cidr));
            return this;
        }

        /** How long a connection may take to send its PROXY header (default 5 s). */
        public Builder proxyHeaderTimeout(Duration proxyHeaderTimeout) {
            GuardConfig.checkProxyHeaderTimeout(proxyHeaderTimeout);
            this.proxyHeaderTimeout = proxyHeaderTimeout;
            return this;
        }

        /** What to do with each connection (default {@link Services#echo()}). */
        public Builder service(Service service) {
            this.service = service;
            return this;
        }

        /**
         * Also serves the admin endpoint on {@code host} ({@code null}: 127.0.0.1, this machine only) and {@code
         * port} ({@code 0}: any free port, see {@link TcpServer#adminAddress()}): a live status page at {@code /},
         * JSON at {@code /api/connections} and {@code /api/stats}, Prometheus text at {@code /metrics}, {@code
         * /health} for a load balancer (200, or 503 once stopping; no token needed), and {@code POST
         * /api/connections/{id}/close}. Off by default.
         */
        public Builder admin(@Nullable String host, int port) {
            AdminConfig.checkPort(port);
            this.adminHost = host;
            this.adminPort = port;
            return this;
        }

        /**
         * Serves every connection over TLS with {@code context}, a server context (build one with Netty's {@code
         * SslContextBuilder.forServer}, from a key and certificate chain); {@code null} (default) serves plain TCP. The service's handlers see the decrypted bytes. A client that sends something
         * other than TLS, or fails the handshake, is closed with one log line.
         */
        public Builder tls(@Nullable SslContext context) {
            if (context != null) {
                ServerTls.checkContext(context);
            }
            this.tls = context;
            this.tlsSource = null;
            return this;
        }

        /**
         * Serves every connection over TLS with the context {@code source} makes, loaded now and again on each {@link
         * TcpServer#reload()}: as {@link #tls(SslContext)}, with a certificate that can be renewed while the server
         * runs.
         *
         * @throws TlsSetupException if {@code source} cannot make a context now
         */
        public Builder tls(TlsSource source) throws TlsSetupException {
            SslContext context = source.load();
            tls(context);
            this.tlsSource = source;
            return this;
        }

        /**
         * A secret every admin request must carry, as {@code Authorization: Bearer TOKEN} or {@code ?token=TOKEN};
         * without it the answer is 401. {@code null} (default) leaves the endpoint open to whoever can reach it.
         */
        public Builder adminToken(@Nullable String token) {
            AdminConfig.checkToken(token);
            this.adminToken = token;
            return this;
        }

        /**
         * A host name the admin endpoint answers to, besides IP literals and {@code localhost}; repeatable. A request
         * whose {@code Host} names anything else is answered {@code 421 Misdirected Request}: a web page whose name was
         * re-bound to this machine's address (DNS rebinding) carries its own name there. Give the name a proxy or a
         * balancer reaches the endpoint by.
         *
         * @throws IllegalArgumentException if {@code name} is not a host name (no port, no wildcard)
         */
        public Builder adminAllowHost(String name) {
            AdminConfig.checkHostName(name);
            adminAllowedHosts.add(name);
            return this;
        }

        /**
         * How long an admin connection has, from its connect or from its last answer, to send a whole request and
         * take its answer (default 10 s); a connection that takes longer (one dribbling a byte at a time) is closed.
         */
        public Builder adminRequestTimeout(Duration timeout) {
            AdminConfig.checkRequestTimeout(timeout);
            this.adminRequestTimeout = timeout;
            return this;
        }

        /**
         * How long a client may take to complete the TLS handshake before it is closed (default 10 s), so that a
         * client that connects and says nothing cannot hold a connection; zero means no limit.
         */
        public Builder tlsHandshakeTimeout(Duration timeout) {
            ServerTls.checkHandshakeTimeout(timeout);
            this.tlsHandshakeTimeout = timeout;
            return this;
        }

        /**
         * Serves datagrams on a UDP socket instead of connections (default false): each datagram is one message,
         * given to the service's {@link Service#initDatagramChannel datagram handler} and answered to its sender from
         * the port it arrived on. The access rules ({@link #allow}, {@link #deny}) drop the datagrams of the senders
         * they refuse; {@link #once} stops after the first datagram has been answered. Only a service that {@link
         * Service#servesDatagrams() serves datagrams} can (echo, discard, reply and log), and nothing that needs a
         * connection goes with it: TLS, the PROXY protocol, the idle timeout, connection limits; {@link #start()}
         * refuses them. {@link TcpServer#datagrams()} counts what became of the datagrams.
         */
        public Builder udp(boolean udp) {
            this.udp = udp;
            return this;
        }

        /**
         * With {@link #udp}, the largest datagram given to the service, in bytes (default 64 KiB, larger than any UDP
         * payload): a longer one is dropped and counted ({@code too-long}).
         */
        public Builder maxDatagram(int maxDatagram) {
            ServerSpec.checkMaxDatagram(maxDatagram);
            this.maxDatagram = maxDatagram;
            return this;
        }

        /**
         * Binds and starts serving, and then the admin endpoint if there is one. If binding fails, the service is
         * closed before the exception is thrown.
         *
         * @throws BindFailedException if an address cannot be listened on (in use, not permitted, unknown host)
         * @throws IllegalArgumentException with {@link #udp}, if something configured needs a connection
         */
        public TcpServer start() throws BindFailedException {
            return TcpServer.start(spec());
        }

        /** What has been configured, as one immutable, checked value. */
        ServerSpec spec() {
            return new ServerSpec(
                    new ServerConfig(host, port, backlog, transport, threads, once, drainTimeout, shutdownDelay, unix),
                    new GuardConfig(
                            maxConnections,
                            maxConnectionsPerIp,
                            idleTimeout,
                            allow,
                            deny,
                            proxyProtocol,
                            proxyFrom.isEmpty() ? GuardConfig.LOOPBACK : proxyFrom,
                            proxyHeaderTimeout),
                    adminPort < 0
                            ? null
                            : new AdminConfig(adminHost, adminPort, adminToken, adminAllowedHosts, adminRequestTimeout),
                    tls,
                    tlsSource,
                    tlsHandshakeTimeout,
                    service != null ? service : Services.echo(),
                    udp,
                    maxDatagram);
        }
    }
}
