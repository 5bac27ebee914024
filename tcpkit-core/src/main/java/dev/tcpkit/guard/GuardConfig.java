package dev.tcpkit.guard;

import java.time.Duration;
import java.util.List;

/**
 * Who may connect and how long a connection may stay: the server's limits and access rules.
 *
 * @param maxConnections most connections open at once; one more is accepted and closed at once; {@code 0} means no
 *     limit
 * @param maxConnectionsPerIp most connections open at once from one client address; {@code 0} means no limit
 * @param idleTimeout how long a connection may go without a byte read or written before it is cut; zero means never
 * @param allow if not empty, only clients in one of these blocks get in
 * @param deny clients in any of these blocks are denied, whatever {@code allow} says
 * @param proxyProtocol whether every connection starts with a PROXY v1 or v2 header naming the real client
 * @param proxyFrom with {@code proxyProtocol}, the only peers trusted to send that header
 * @param proxyHeaderTimeout with {@code proxyProtocol}, how long a connection may take to send its header
 */
public record GuardConfig(
        int maxConnections,
        int maxConnectionsPerIp,
        Duration idleTimeout,
        List<Cidr> allow,
        List<Cidr> deny,
        boolean proxyProtocol,
        List<Cidr> proxyFrom,
        Duration proxyHeaderTimeout) {

    /** Proxies trusted by default: this host, over IPv4 and IPv6. */
    public static final List<Cidr> LOOPBACK = List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1"));

    /** Long enough for a TCP retransmission, which the PROXY protocol's spec asks for (at least 3 s). */
    public static final Duration DEFAULT_PROXY_HEADER_TIMEOUT = Duration.ofSeconds(5);

    public GuardConfig {
        checkMaxConnections(maxConnections);
        checkMaxConnectionsPerIp(maxConnectionsPerIp);
        checkIdleTimeout(idleTimeout);
        checkProxyHeaderTimeout(proxyHeaderTimeout);
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        proxyFrom = List.copyOf(proxyFrom);
    }

    /** Throws {@link IllegalArgumentException} if {@code maxConnections} is negative. */
    public static void checkMaxConnections(int maxConnections) {
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections must be >= 0: " + maxConnections);
        }
    }

    /** Throws {@link IllegalArgumentException} if {@code maxConnectionsPerIp} is negative. */
    public static void checkMaxConnectionsPerIp(int maxConnectionsPerIp) {
        if (maxConnectionsPerIp < 0) {
            throw new IllegalArgumentException("maxConnectionsPerIp must be >= 0: " + maxConnectionsPerIp);
        }
    }

    /** Throws {@link IllegalArgumentException} if {@code idleTimeout} is negative. */
    public static void checkIdleTimeout(Duration idleTimeout) {
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout must be >= 0: " + idleTimeout);
        }
    }

    /** Throws {@link IllegalArgumentException} unless {@code proxyHeaderTimeout} is positive. */
    public static void checkProxyHeaderTimeout(Duration proxyHeaderTimeout) {
        if (proxyHeaderTimeout.isNegative() || proxyHeaderTimeout.isZero()) {
            throw new IllegalArgumentException("proxyHeaderTimeout must be > 0: " + proxyHeaderTimeout);
        }
    }
}
