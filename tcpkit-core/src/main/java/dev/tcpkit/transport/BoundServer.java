package dev.tcpkit.transport;

import dev.tcpkit.connection.ClientAddress;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.Connection;
import dev.tcpkit.connection.DatagramCounters;
import dev.tcpkit.connection.ServerCounters;
import dev.tcpkit.internal.Addresses;
import dev.tcpkit.internal.Errors;
import dev.tcpkit.options.BindFailedException;
import dev.tcpkit.options.Transport;
import dev.tcpkit.options.TransportUnavailableException;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A listening socket with its event loops: tracks every accepted connection and shuts down gracefully. Or, for a UDP
 * server ({@link #bindDatagrams}), one datagram socket that every client shares, with no connections to track.
 *
 * <p>{@link #close()} stops accepting, lets open connections finish for up to the drain timeout, closes the rest,
 * and stops the event loops. It is idempotent and may be called from any thread except an event loop.
 */
public final class BoundServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BoundServer.class);
    /** Netty's defaults, set here so that the bound is stated where connections are made. */
    private static final WriteBufferWaterMark WRITE_BUFFER = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    private final ServerConfig config;
    private final IoSupport io;
    private final EventLoopGroup group;
    private final ChannelGroup connections;
    private final ServerCounters counters;
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicBoolean acceptedOne = new AtomicBoolean();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean draining;
    private volatile @Nullable Channel serverChannel;

    private BoundServer(ServerConfig config, ServerCounters counters, IoSupport io) {
        this.config = config;
        this.counters = counters;
        this.io = io;
        this.group = io.newGroup(config.threads(), new DefaultThreadFactory("tcpkit-io", false));
        this.connections = new DefaultChannelGroup("tcpkit-connections", GlobalEventExecutor.INSTANCE);
    }

    /**
     * Binds a listening socket and serves each accepted connection with {@code childHandler}.
     *
     * @param counters where connections turned away here (after {@code --once}, while draining) are counted as
     *     refused; {@code childHandler} counts the rest
     * @param childHandler a {@code @Sharable} handler, typically a {@link ChannelInitializer}, added to every
     *     accepted connection's pipeline
     * @throws BindFailedException if the address cannot be listened on; the message is one line for users
     * @throws TransportUnavailableException if the requested transport cannot load here
     */
    public static BoundServer bind(ServerConfig config, ServerCounters counters, ChannelHandler childHandler)
            throws BindFailedException {
        IoSupport io = IoSupport.resolve(config.transport());
        SocketAddress address;
        Path unix = config.unix();
        if (unix != null) {
            SocketFile.prepare(unix, config.displayAddress());
            address = io.domainAddress(unix);
        } else {
            address = address(config);
        }
        BoundServer server = new BoundServer(config, counters, io);
        server.start(address, childHandler);
        return server;
    }

    /**
     * Binds a UDP socket and serves every datagram with {@code handler}; the server's connections are then none.
     * Datagrams are read into buffers of {@code maxDatagram + 1} bytes, so that one the kernel cut to fit is longer
     * than {@code maxDatagram}. With {@code once}, the server stops once {@code datagrams} has its first answer.
     *
     * @param handler a {@code @Sharable} handler, typically a {@link ChannelInitializer}, for the channel's pipeline
     * @throws BindFailedException if the address cannot be bound; the message is one line for users
     * @throws TransportUnavailableException if the requested transport cannot load here
     */
    public static BoundServer bindDatagrams(
            ServerConfig config,
            ServerCounters counters,
            DatagramCounters datagrams,
            int maxDatagram,
            ChannelHandler handler)
            throws BindFailedException {
        IoSupport io = IoSupport.resolve(config.transport());
        InetSocketAddress address = address(config);
        BoundServer server = new BoundServer(config, counters, io);
        Bootstrap bootstrap = Bootstraps.datagram(io, server.group)
                .attr(DatagramCounters.KEY, datagrams)
                .attr(ServerCounters.KEY, counters)
                .option(ChannelOption.RECVBUF_ALLOCATOR, ReadSizes.datagrams(maxDatagram))
                // Answers past the high mark are dropped by the services, not queued: see DatagramCounters.Drop.
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITE_BUFFER)
                .handler(handler);
        server.serverChannel = server.bound(bootstrap.bind(address));
        if (config.once()) {
            var unused = datagrams.firstAnswered().thenRun(server::closeAsync);
        }
        return server;
    }

    private static InetSocketAddress address(ServerConfig config) throws BindFailedException {
        try {
            return config.host() == null
                    ? new InetSocketAddress(config.port())
                    : new InetSocketAddress(InetAddress.getByName(config.host()), config.port());
        } catch (UnknownHostException e) {
            throw new BindFailedException(config.displayAddress(), "unknown host", e);
        }
    }

    private void start(SocketAddress address, ChannelHandler childHandler) throws BindFailedException {
        ServerBootstrap listening =
                config.unix() != null ? Bootstraps.unixServer(io, group) : Bootstraps.server(io, group);
        ServerBootstrap bootstrap = listening
                .option(ChannelOption.SO_BACKLOG, config.backlog())
                .childAttr(ServerCounters.KEY, counters)
                // The bound on what a connection may have queued for a peer that does not read: past the high mark
                // the channel turns unwritable and the services stop reading from that peer until it drains.
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WRITE_BUFFER)
                .childOption(ChannelOption.RECVBUF_ALLOCATOR, ReadSizes.ADAPTIVE)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (!admit(ch)) {
                            return;
                        }
                        ch.pipeline().addLast(childHandler);
                    }
                });
        serverChannel = bound(bootstrap.bind(address));
    }

    /** The channel {@code binding} binds; if it fails, the event loops stop and the server is terminated. */
    private Channel bound(ChannelFuture binding) throws BindFailedException {
        ChannelFuture bound = binding.awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
            terminated.complete(null);
            throw new BindFailedException(config.displayAddress(), Errors.reason(bound.cause()), bound.cause());
        }
        return bound.channel();
    }

    /**
     * Tracks a new connection; returns false if it must not be served (after --once, or while draining). One that may
     * be served is counted as accepted, refused or denied by the child handler.
     */
    private boolean admit(Channel ch) {
        if (config.unix() != null) {
            ClientAddress.setUnixPeer(ch, IoSupport.peerOf(ch));
        }
        if (draining || (config.once() && !acceptedOne.compareAndSet(false, true))) {
            counters.countRefused();
            ch.close()
                    .addListener(f -> log.atDebug()
                            .addKeyValue("event", "refused")
                            .addKeyValue("client", ClientAddress.format(ch))
                            .addKeyValue("reason", "no longer accepting")
                            .log("closed {}: server no longer accepting", ClientAddress.format(ch)));
            return false;
        }
        connections.add(ch);
        open.incrementAndGet();
        ch.closeFuture().addListener(f -> {
            if (open.decrementAndGet() == 0 && draining) {
                drained.complete(null);
            }
        });
        if (config.once()) {
            // Stop listening right away, and terminate once this one connection ends.
            channel().close().addListener(f -> log.debug("--once: stopped listening"));
            ch.closeFuture().addListener(f -> closeAsync());
        }
        return true;
    }

    /**
     * The address actually bound; with port 0 this carries the port the kernel chose.
     *
     * @throws IllegalStateException if the server listens on a Unix domain socket ({@link ServerConfig#unix()})
     */
    public InetSocketAddress localAddress() {
        if (!(channel().localAddress() instanceof InetSocketAddress local)) {
            throw new IllegalStateException("listening on a Unix domain socket: " + config.unix());
        }
        return local;
    }

    /**
     * {@code host:port} for the start-up line, the wildcard address shown as {@code 0.0.0.0}; {@code unix:PATH} for a
     * Unix domain socket.
     */
    public String displayAddress() {
        if (config.unix() != null) {
            return config.displayAddress();
        }
        InetSocketAddress local = localAddress();
        if (config.host() == null || local.getAddress().isAnyLocalAddress()) {
            return Addresses.hostPort(config.host() == null ? "0.0.0.0" : config.host(), local.getPort());
        }
        return Addresses.format(local);
    }

    /** The transport in use, never {@link Transport#AUTO}. */
    public Transport transport() {
        return io.transport();
    }

    /** Connections currently open. */
    public int openConnections() {
        return open.get();
    }

    /** What became of the connections this server saw. */
    public ServerCounters counters() {
        return counters;
    }

    /** Completes once the server has stopped: after {@link #close()}, or after the one connection of --once. */
    public CompletableFuture<Void> terminationFuture() {
        return terminated;
    }

    private Channel channel() {
        Channel ch = serverChannel;
        if (ch == null) {
            throw new IllegalStateException("not bound");
        }
        return ch;
    }

    private void closeAsync() {
        Thread t = new Thread(this::close, "tcpkit-shutdown");
        t.setDaemon(false);
        t.start();
    }

    @Override
    public void close() {
        stop(config.drainTimeout().toMillis(), CloseReason.DRAIN_TIMEOUT, "drain timeout");
    }

    /**
     * Stops at once, for a server that can no longer serve: stops accepting, closes every open connection with {@code
     * reason} as why (the drain timeout does not apply), and stops the event loops. A server already stopping finishes
     * that instead. Idempotent; may be called from any thread except an event loop.
     *
     * @param detail the reason in full, for the log and each connection's disconnect event
     */
    public void abort(CloseReason reason, String detail) {
        stop(0, reason, detail);
    }

    private void stop(long drainMillis, CloseReason reason, String detail) {
        if (!closing.compareAndSet(false, true)) {
            terminated.join();
            return;
        }
        try {
            draining = true;
            channel().close().awaitUninterruptibly();
            if (open.get() == 0) {
                drained.complete(null);
            }
            awaitDrain(drainMillis, reason, detail);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        } finally {
            terminated.complete(null);
        }
    }

    /** Lets open connections finish for up to {@code millis}, then closes those left, each with {@code reason}. */
    private void awaitDrain(long millis, CloseReason reason, String detail) {
        if (open.get() > 0 && millis > 0) {
            log.info("draining {} open connection(s) for up to {} ms", open.get(), millis);
        }
        try {
            drained.get(millis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.info("{}: closing {} connection(s)", detail, open.get());
            for (Channel ch : connections) {
                Connection connection = Connection.of(ch);
                if (connection != null) {
                    connection.closeReason(reason, detail);
                }
            }
            connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }
}
