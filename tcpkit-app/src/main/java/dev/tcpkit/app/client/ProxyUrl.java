package dev.tcpkit.app.client;

import dev.tcpkit.internal.Addresses;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A proxy to reach a server through ({@code --proxy}): {@code socks5://[USER:PASS@]HOST:PORT} (the server's name
 * resolved here), {@code socks5h://...} (resolved by the proxy) or {@code http://...} (HTTP CONNECT; resolved by the
 * proxy). Its text form, {@link #toString()}, never shows the credentials: it is what error lines name.
 */
public final class ProxyUrl {
    /** Where the proxy's password comes from when the URL gives a user without one: kept off the command line. */
    public static final String PASSWORD_VARIABLE = "TCPKIT_PROXY_PASSWORD";

    private static final List<String> SCHEMES = List.of("socks5", "socks5h", "http");

    private final String scheme;
    /** Unresolved as parsed; resolved by {@link #resolved()}. */
    private final InetSocketAddress address;

    private final @Nullable String user;
    private final @Nullable String password;

    private ProxyUrl(String scheme, InetSocketAddress address, @Nullable String user, @Nullable String password) {
        this.scheme = scheme;
        this.address = address;
        this.user = user;
        this.password = password;
    }

    /**
     * Parses {@code url}; a user without a password takes {@code passwordVariable} (the value of {@link
     * #PASSWORD_VARIABLE}).
     *
     * @throws IllegalArgumentException naming what is wrong, never quoting the credentials
     */
    public static ProxyUrl parse(String url, @Nullable String passwordVariable) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            // Not e.getMessage(): it quotes the whole URL, password included.
            throw new IllegalArgumentException(
                    "proxy must be socks5://[USER:PASS@]HOST:PORT, socks5h://... or http://...; characters such as"
                            + " / # ? @ in USER or PASS need %-encoding");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.isEmpty()) {
            throw new IllegalArgumentException(
                    "proxy must be a URL: socks5://[USER:PASS@]HOST:PORT, socks5h://... or http://...");
        }
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException(
                    "proxy must be socks5://, socks5h:// or http:// (HTTP CONNECT), not '" + scheme + "://'");
        }
        if (uri.getHost() == null || uri.getPort() < 0) {
            throw new IllegalArgumentException("proxy needs HOST:PORT after " + scheme + "://");
        }
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/"))
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("proxy needs nothing after HOST:PORT");
        }
        String user = null;
        String password = null;
        String userInfo = uri.getUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            user = colon < 0 ? userInfo : userInfo.substring(0, colon);
            password = colon < 0 ? passwordVariable : userInfo.substring(colon + 1);
            if (password == null) {
                throw new IllegalArgumentException(
                        "proxy needs a password for its user: give USER:PASS or set " + PASSWORD_VARIABLE);
            }
        }
        InetSocketAddress address =
                InetSocketAddress.createUnresolved(Addresses.unbracket(uri.getHost()), uri.getPort());
        return new ProxyUrl(scheme, address, user, password);
    }

    /** This proxy with its host name looked up (blocking: call it before dialling, not on an event loop). */
    public ProxyUrl resolved() throws UnknownHostException {
        InetAddress ip = InetAddress.getByName(address.getHostString());
        return new ProxyUrl(scheme, new InetSocketAddress(ip, address.getPort()), user, password);
    }

    /**
     * The addresses to dial for {@code host:port}, to be tried in turn: each address of {@code host} (looked up here,
     * blocking) directly or through a {@code socks5} proxy; through {@code socks5h} or {@code http}, the name itself,
     * which the proxy looks up.
     */
    public static List<InetSocketAddress> targets(@Nullable ProxyUrl proxy, String host, int port)
            throws UnknownHostException {
        if (proxy != null && !proxy.scheme.equals("socks5")) {
            return List.of(InetSocketAddress.createUnresolved(host, port));
        }
        return Arrays.stream(InetAddress.getAllByName(host))
                .map(ip -> new InetSocketAddress(ip, port))
                .toList();
    }

    /**
     * A new handler for one connection, Netty's for the scheme; the handshake (after the TCP connect) fails after
     * {@code timeout}. Needs {@link #resolved()}.
     */
    ProxyHandler newHandler(Duration timeout) {
        ProxyHandler handler;
        if (scheme.equals("http")) {
            handler = user != null && password != null
                    ? new HttpProxyHandler(address, user, password)
                    : new HttpProxyHandler(address);
        } else {
            handler = user != null && password != null
                    ? new Socks5ProxyHandler(address, user, password)
                    : new Socks5ProxyHandler(address);
        }
        handler.setConnectTimeoutMillis(timeout.toMillis());
        return handler;
    }

    /** {@code SOCKS5} or {@code HTTP}: the protocol whose status codes a refusal quotes. */
    String protocol() {
        return scheme.equals("http") ? "HTTP" : "SOCKS5";
    }

    /** {@code socks5://HOST:PORT}: without the credentials. */
    @Override
    public String toString() {
        return scheme + "://" + Addresses.hostPort(address.getHostString(), address.getPort());
    }
}
