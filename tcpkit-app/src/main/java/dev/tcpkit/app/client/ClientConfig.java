package dev.tcpkit.app.client;

import dev.tcpkit.internal.Addresses;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@code tcpkit connect} does.
 *
 * @param host the server's name or address; an IPv6 literal may be written in brackets, as in {@code [::1]}; unused
 *     with {@code unix}
 * @param port the server's port, 1..65535; unused with {@code unix}
 * @param encoding the charset of text on the wire: what is typed is transcoded to it and what arrives is decoded from
 *     it into the console's charset; {@code null} passes bytes through unchanged
 * @param console the charset of the terminal (stdin and stdout)
 * @param sends texts to send, each followed by a wait for the reply; empty means stdin is sent instead
 * @param recvFirst wait for one read from the server (up to the timeout) before sending anything
 * @param timeout the connect timeout (and the TLS handshake's), and with {@code sends} or {@code recvFirst} how long
 *     to wait for the server to say something before giving up on it
 * @param tls a client {@link SslContext} to speak TLS with (see {@code TlsContexts.client}), or {@code null} for
 *     plain TCP
 * @param unix the Unix domain stream socket to connect to instead of {@code host} and {@code port}, or {@code null}
 * @param proxy the proxy to reach the server through (TLS runs through its tunnel), or {@code null} to connect
 *     directly
 */
public record ClientConfig(
        String host,
        int port,
        @Nullable Charset encoding,
        Charset console,
        List<String> sends,
        boolean recvFirst,
        Duration timeout,
        @Nullable SslContext tls,
        @Nullable Path unix,
        @Nullable ProxyUrl proxy) {

    public ClientConfig {
        host = Addresses.unbracket(host);
        if (unix == null && (port < 1 || port > 65535)) {
            throw new IllegalArgumentException("port must be in 1..65535: " + port);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be > 0: " + timeout);
        }
        if (tls != null && tls.isServer()) {
            throw new IllegalArgumentException("tls needs a client SslContext, not a server one");
        }
        sends = List.copyOf(sends);
    }

    /** A plain TCP session. */
    public ClientConfig(
            String host,
            int port,
            @Nullable Charset encoding,
            Charset console,
            List<String> sends,
            boolean recvFirst,
            Duration timeout) {
        this(host, port, encoding, console, sends, recvFirst, timeout, null, null, null);
    }

    /** A session with the Unix domain stream socket at {@code path}. */
    public static ClientConfig unix(
            Path path,
            @Nullable Charset encoding,
            Charset console,
            List<String> sends,
            boolean recvFirst,
            Duration timeout) {
        return new ClientConfig("", 0, encoding, console, sends, recvFirst, timeout, null, path, null);
    }

    /** This session over TLS with {@code tls}, a client {@link SslContext}; {@code null} for plain TCP. */
    public ClientConfig withTls(@Nullable SslContext tls) {
        return new ClientConfig(host, port, encoding, console, sends, recvFirst, timeout, tls, unix, proxy);
    }

    /** This session through {@code proxy}; {@code null} to connect directly. */
    public ClientConfig withProxy(@Nullable ProxyUrl proxy) {
        return new ClientConfig(host, port, encoding, console, sends, recvFirst, timeout, tls, unix, proxy);
    }

    /** Whether the texts to send come from the command line rather than stdin. */
    boolean scripted() {
        return !sends.isEmpty();
    }

    /** The charset text is sent in: the wire's when given, otherwise the console's (what the user typed). */
    Charset sendCharset() {
        return encoding != null ? encoding : console;
    }

    /** {@code host:port} as users write it, or {@code unix:PATH}. */
    String displayAddress() {
        return unix != null ? "unix:" + unix : Addresses.hostPort(host, port);
    }
}
