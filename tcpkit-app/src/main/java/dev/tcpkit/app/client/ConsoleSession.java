package dev.tcpkit.app.client;

import dev.tcpkit.internal.Errors;
import dev.tcpkit.options.Transport;
import dev.tcpkit.security.TlsErrors;
import dev.tcpkit.transport.Bootstraps;
import dev.tcpkit.transport.IoSupport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * One {@code tcpkit connect} session: a connection between a console (stdin, stdout) and a server.
 *
 * <p>Interactive (no texts to send): stdin is sent as it is typed while everything received is printed; at the end
 * of stdin the connection is half-closed and printing goes on until the server closes. Scripted: each text is sent
 * and its reply awaited; after the last, printing goes on until the server closes or falls silent for the timeout.
 *
 * <p>Threads: the event loop prints what arrives; the caller's thread waits for the session to end; interactive
 * sessions read stdin on a daemon thread of their own.
 */
public final class ConsoleSession implements AutoCloseable {
    private static final AttributeKey<SslHandler> TLS = AttributeKey.valueOf(ConsoleSession.class, "tls");

    private final ClientConfig config;
    private final EventLoopGroup group;
    private final Channel channel;
    private final Activity activity;
    /** Whether the TLS handshake sent the server a client certificate (see {@link #lostReason}). */
    private final boolean presentedCertificate;

    private ConsoleSession(
            ClientConfig config,
            EventLoopGroup group,
            Channel channel,
            Activity activity,
            boolean presentedCertificate) {
        this.config = config;
        this.group = group;
        this.channel = channel;
        this.activity = activity;
        this.presentedCertificate = presentedCertificate;
    }

    /**
     * Connects to the server, trying each of its addresses in turn, and starts printing what it sends to {@code
     * stdout}.
     *
     * @throws ConnectFailedException with a one-line message, e.g. {@code cannot connect to 127.0.0.1:9: connection
     *     refused}
     */
    public static ConsoleSession connect(ClientConfig config, OutputStream stdout) throws ConnectFailedException {
        return connect(config, stdout, null);
    }

    /**
     * As {@link #connect(ClientConfig, OutputStream)}, with a handler of {@code tap}'s on the connection, between TLS and
     * the printing, where it sees the bytes as they are sent and received ({@code --hex-dump}).
     */
    public static ConsoleSession connect(
            ClientConfig config, OutputStream stdout, @Nullable Supplier<? extends ChannelHandler> tap)
            throws ConnectFailedException {
        ProxyUrl proxy = resolved(config.proxy(), config);
        IoSupport io = IoSupport.resolve(Transport.AUTO);
        Path unix = config.unix();
        List<SocketAddress> targets = unix != null ? List.of(io.domainAddress(unix)) : addressesOf(config, proxy);
        Activity activity = new Activity();
        EventLoopGroup group = io.newGroup(1, new DefaultThreadFactory("tcpkit-client", true));
        // The end of the server's output ends the session, on a Unix socket as on TCP: no half-closure this way.
        Bootstrap dialling = unix != null
                ? Bootstraps.unixClient(io, group, config.timeout(), unix)
                        .option(ChannelOption.ALLOW_HALF_CLOSURE, false)
                : Bootstraps.client(io, group, config.timeout());
        Bootstrap bootstrap = dialling.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                if (proxy != null) {
                    ProxyTunnel.addTo(ch, proxy, config.timeout());
                }
                SslContext tls = config.tls();
                if (tls != null) {
                    // The host as given is what the certificate must name (and the SNI sent).
                    SslHandler ssl = tls.newHandler(ch.alloc(), config.host(), config.port());
                    ssl.setHandshakeTimeoutMillis(config.timeout().toMillis());
                    ch.pipeline().addLast(ssl);
                    ch.attr(TLS).set(ssl); // still there when a failed handshake has emptied the pipeline
                }
                if (tap != null) {
                    ch.pipeline().addLast(tap.get());
                }
                ch.pipeline().addLast(new ReceiveHandler(stdout, config.encoding(), config.console(), activity, false));
            }
        });
        if (proxy != null) {
            ProxyTunnel.passingNamesOn(bootstrap);
        }
        Throwable failure = new IOException("no address");
        for (SocketAddress target : targets) {
            ChannelFuture connected = bootstrap.connect(target);
            Future<?> open = proxy == null ? connected : ProxyTunnel.open(connected);
            if (open.awaitUninterruptibly().isSuccess()) {
                boolean presented = awaitHandshake(config, group, connected.channel());
                return new ConsoleSession(config, group, connected.channel(), activity, presented);
            }
            failure = open.cause();
        }
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        throw cannotConnect(config, proxy, failure);
    }

    /** Each address to try in turn: the server's, or through a proxy what {@link ProxyUrl#targets} says. */
    private static List<SocketAddress> addressesOf(ClientConfig config, @Nullable ProxyUrl proxy)
            throws ConnectFailedException {
        try {
            return List.copyOf(ProxyUrl.targets(proxy, config.host(), config.port()));
        } catch (UnknownHostException e) {
            throw cannotConnect(config, null, e);
        }
    }

    private static @Nullable ProxyUrl resolved(@Nullable ProxyUrl proxy, ClientConfig config)
            throws ConnectFailedException {
        try {
            return proxy == null ? null : proxy.resolved();
        } catch (UnknownHostException e) {
            throw cannotConnect(config, proxy, e);
        }
    }

    /**
     * With TLS, waits for the handshake (bounded by its timeout): nothing is sent before the server is verified.
     * Returns whether a client certificate was presented.
     */
    private static boolean awaitHandshake(ClientConfig config, EventLoopGroup group, Channel channel)
            throws ConnectFailedException {
        SslHandler ssl = channel.attr(TLS).get();
        if (ssl == null) {
            return false;
        }
        Future<Channel> handshake = ssl.handshakeFuture().awaitUninterruptibly();
        if (handshake.isSuccess()) {
            return ssl.engine().getSession().getLocalCertificates() != null;
        }
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        Throwable cause = handshake.cause();
        String reason = TlsErrors.reason(cause, "server");
        if (reason.equals("timed out")) {
            reason = "timed out after " + config.timeout().toMillis() + " ms";
        }
        throw new ConnectFailedException("TLS handshake with " + config.displayAddress() + " failed: " + reason, cause);
    }

    private static ConnectFailedException cannotConnect(
            ClientConfig config, @Nullable ProxyUrl proxy, Throwable cause) {
        if (proxy != null) {
            String line = ProxyTunnel.failure(proxy, config.displayAddress(), cause, config.timeout());
            return new ConnectFailedException(line, cause);
        }
        String reason = Errors.connectReason(cause, config.timeout());
        return new ConnectFailedException("cannot connect to " + config.displayAddress() + ": " + reason, cause);
    }

    /**
     * Runs the session to its end: scripted if the config has texts to send, otherwise interactive with {@code
     * stdin}.
     *
     * @throws ConnectFailedException if the connection was lost abnormally (reset by the server, say)
     */
    public void run(InputStream stdin) throws IOException, InterruptedException {
        if (config.recvFirst()) {
            activity.awaitReadAfter(0, config.timeout());
        }
        if (config.scripted()) {
            sendEach(config.sends());
            activity.awaitCloseOrSilence(config.timeout());
        } else {
            Thread pump = new Thread(
                    new StdinPump(stdin, config.encoding(), config.console(), channel, activity), "tcpkit-stdin");
            pump.setDaemon(true); // a keyboard read cannot be interrupted; the process may end while it waits
            pump.start();
            activity.awaitClose();
        }
        channel.close().awaitUninterruptibly();
        activity.awaitClose();
        Throwable failure = activity.failure();
        if (failure != null) {
            // A server that does not speak TLS may be found out only after the handshake looked done (the engine
            // reports it when the first record arrives): still a handshake failure to the user.
            String reason = lostReason(failure);
            String what = reason.equals(TlsErrors.NOT_TLS)
                    ? "TLS handshake with " + config.displayAddress() + " failed: "
                    : "connection to " + config.displayAddress() + " lost: ";
            throw new ConnectFailedException(what + reason, failure);
        }
    }

    /**
     * Why the connection was lost. Over TLS 1.3 a server checks the client's certificate after the client's
     * handshake has completed, so its refusal arrives as an alert on the first read; a JDK server says {@code
     * bad_certificate} even when none was sent, which would read as if ours had been turned down.
     */
    private String lostReason(Throwable failure) {
        if (!TlsErrors.isTls(failure)) {
            return Errors.reason(failure);
        }
        String reason = TlsErrors.reason(failure, "server");
        if (!presentedCertificate && reason.startsWith("the server rejected the certificate")) {
            return "the server requires a client certificate";
        }
        return reason;
    }

    private void sendEach(List<String> texts) throws InterruptedException {
        // The texts are one stream: a UTF-16 byte-order mark, say, goes out once, before the first.
        TextEncoder encoder = new TextEncoder(config.sendCharset());
        for (int i = 0; i < texts.size() && !activity.isClosed(); i++) {
            long seen = activity.reads();
            boolean last = i == texts.size() - 1;
            byte[] bytes = last ? encoder.encodeLast(texts.get(i)) : encoder.encode(texts.get(i));
            if (!activity.send(channel, bytes)) {
                return; // the connection is gone; run() reports why
            }
            if (!last) {
                activity.awaitReadAfter(seen, config.timeout());
            }
        }
    }

    /** The server's address as connected; {@code null} on a Unix domain socket. */
    public @Nullable InetSocketAddress remoteAddress() {
        return channel.remoteAddress() instanceof InetSocketAddress address ? address : null;
    }

    /** Closes the connection if still open and stops the event loop. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
