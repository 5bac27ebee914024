package dev.tcpkit.security;

import dev.tcpkit.internal.LogThrottle;
import dev.tcpkit.options.TlsProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.time.Duration;

/**
 * TLS on a server's connections: makes the {@code SslHandler} and the handler that reports its failures for each
 * connection, which go after the server's admission (access control, limits, PROXY header) and before the service. A
 * connection turned away at admission never sees a handshake byte: the server speaks TLS only once the client has
 * sent its hello, and that goes no further than admission.
 */
public final class ServerTls {
    /** How long a client has to complete the handshake unless told otherwise. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    /** Replaced by {@link #replace}; read once per accepted connection. */
    private volatile SslContext context;

    private final Duration handshakeTimeout;
    private final LogThrottle failures = LogThrottle.perSecond();

    /**
     * @param context a server context, e.g. from {@link TlsContexts}
     * @param handshakeTimeout how long a client may take to complete the handshake before it is closed, so that a
     *     silent client cannot hold a connection; zero means no limit
     */
    public ServerTls(SslContext context, Duration handshakeTimeout) {
        checkContext(context);
        checkHandshakeTimeout(handshakeTimeout);
        this.context = context;
        this.handshakeTimeout = handshakeTimeout;
    }

    /** Throws {@link IllegalArgumentException} if {@code context} is a client's. */
    public static void checkContext(SslContext context) {
        if (!context.isServer()) {
            throw new IllegalArgumentException("tls needs a server SslContext, not a client one");
        }
    }

    /** Throws {@link IllegalArgumentException} if {@code handshakeTimeout} is negative. */
    public static void checkHandshakeTimeout(Duration handshakeTimeout) {
        if (handshakeTimeout.isNegative()) {
            throw new IllegalArgumentException("tlsHandshakeTimeout must be >= 0: " + handshakeTimeout);
        }
    }

    /**
     * Serves the connections accepted from now on with {@code next} (a renewed certificate); open connections keep the
     * context they were accepted with.
     *
     * @throws IllegalArgumentException if {@code next} is a client's context
     */
    public void replace(SslContext next) {
        checkContext(next);
        context = next;
    }

    /** The implementation in use: {@link TlsProvider#OPENSSL} or {@link TlsProvider#JDK}. */
    public TlsProvider provider() {
        return TlsProvider.of(context);
    }

    /** A new {@code SslHandler} for an accepted connection, with the handshake timeout. */
    public SslHandler newSslHandler(Channel channel) {
        // An engine made by newEngine decrypts one TLS record per call (the JDK's SSLEngine contract; newHandler's
        // OpenSSL engine decrypts all it has at once). So the SslHandler passes each record's data on, and the
        // service's answer is encrypted (TlsEventHandler), before the next record is decrypted. If that next record is
        // the client's close_notify, OpenSSL closes its sending side at once: answers not encrypted by then are lost.
        SslHandler ssl = new SslHandler(context.newEngine(channel.alloc()));
        ssl.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return ssl;
    }

    /**
     * A new handler to put right after the {@link #newSslHandler SslHandler}: logs a failed handshake once (at most
     * one line a second across a flood, for all of this server's connections) and turns TLS events into what services
     * understand (see {@link TlsEventHandler}).
     */
    public ChannelHandler newEventHandler() {
        return new TlsEventHandler(failures);
    }
}
