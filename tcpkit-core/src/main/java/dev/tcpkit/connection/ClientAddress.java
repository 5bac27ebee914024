package dev.tcpkit.connection;

import dev.tcpkit.internal.Addresses;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * Who a connection's client is: with {@code --proxy-protocol}, the address its PROXY header named; on a Unix domain
 * socket, the peer process ({@link UnixPeer}); otherwise the TCP peer's. Services, records and logs read it here rather than from {@code Channel.remoteAddress()}, which behind a
 * proxy is the proxy.
 */
public final class ClientAddress {
    private static final AttributeKey<InetSocketAddress> PROXIED = AttributeKey.valueOf(ClientAddress.class, "proxied");
    private static final AttributeKey<InetSocketAddress> PROXIED_DESTINATION =
            AttributeKey.valueOf(ClientAddress.class, "proxiedDestination");
    private static final AttributeKey<UnixPeer> UNIX_PEER = AttributeKey.valueOf(ClientAddress.class, "unixPeer");

    private ClientAddress() {}

    /** The client's address; {@code null} only for a channel that never had a peer. */
    public static @Nullable SocketAddress of(Channel channel) {
        InetSocketAddress proxied = channel.attr(PROXIED).get();
        return proxied != null ? proxied : channel.remoteAddress();
    }

    /**
     * The client as records and logs show it: its {@code host:port}, e.g. {@code 127.0.0.1:53210}, or on a Unix domain
     * socket {@code unix:pid=PID,uid=UID} ({@code unix:?} where the transport cannot read the peer's credentials).
     */
    public static String format(Channel channel) {
        UnixPeer unixPeer = channel.attr(UNIX_PEER).get();
        return unixPeer != null && !isProxied(channel) ? unixPeer.toString() : Addresses.format(of(channel));
    }

    /** The peer of a connection accepted on a Unix domain socket, or {@code null} for a TCP connection. */
    public static @Nullable UnixPeer unixPeerOf(Channel channel) {
        return channel.attr(UNIX_PEER).get();
    }

    /** Records who is at the other end of a connection accepted on a Unix domain socket, for {@link #format}. */
    public static void setUnixPeer(Channel channel, UnixPeer peer) {
        channel.attr(UNIX_PEER).set(peer);
    }

    /**
     * Where the client connected to: with {@code --proxy-protocol}, the destination its PROXY header named; otherwise
     * this server's own address. {@code null} only for a channel that was never bound.
     */
    public static @Nullable SocketAddress destinationOf(Channel channel) {
        InetSocketAddress proxied = channel.attr(PROXIED_DESTINATION).get();
        return proxied != null ? proxied : channel.localAddress();
    }

    /** Whether the address comes from a PROXY header. */
    public static boolean isProxied(Channel channel) {
        return channel.attr(PROXIED).get() != null;
    }

    /**
     * Records the client a PROXY header named, which {@link #of} then answers instead of the peer, and the destination
     * it named, which {@link #destinationOf} answers ({@code null}: none, the server's own address stands).
     */
    public static void setProxied(Channel channel, InetSocketAddress client, @Nullable InetSocketAddress destination) {
        channel.attr(PROXIED).set(client);
        channel.attr(PROXIED_DESTINATION).set(destination);
    }
}
