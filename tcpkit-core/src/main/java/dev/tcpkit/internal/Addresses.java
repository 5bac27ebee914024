package dev.tcpkit.internal;

import io.netty.util.NetUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/** Formats socket addresses the way users type them: {@code 127.0.0.1:53210}, {@code [::1]:53210}. */
public final class Addresses {
    private Addresses() {}

    /** {@code host:port} of a peer, with IPv4-mapped IPv6 addresses shown as plain IPv4. */
    public static String format(@Nullable SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet)) {
            return String.valueOf(address);
        }
        InetAddress ip = inet.getAddress();
        if (ip == null) {
            return hostPort(inet.getHostString(), inet.getPort());
        }
        return hostPort(hostOf(ip), inet.getPort());
    }

    /**
     * The host without the brackets users may write around an IPv6 literal ({@code [::1]}): they only separate it
     * from a port, and kept they would be shown twice, as {@code [[::1]]:80}.
     */
    public static String unbracket(String host) {
        if (host.length() > 2 && host.startsWith("[") && host.endsWith("]")) {
            return host.substring(1, host.length() - 1);
        }
        return host;
    }

    /** {@code host:port}, bracketing IPv6 literals. */
    public static String hostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** An address as users write it: IPv4-mapped IPv6 as plain IPv4, IPv6 shortened ({@code ::1}, RFC 5952) and unscoped. */
    public static String hostOf(InetAddress ip) {
        return NetUtil.toAddressString(unmapped(ip));
    }

    /**
     * The IPv4 address an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) stands for, or {@code ip} itself: an IPv4
     * client of a dual-stack socket is the same client, for display, access rules and per-address limits alike.
     */
    public static InetAddress unmapped(InetAddress ip) {
        byte[] b = ip.getAddress();
        if (ip instanceof Inet6Address && isIpv4Mapped(b)) {
            try {
                return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
            } catch (UnknownHostException impossible) {
                throw new AssertionError(impossible);
            }
        }
        return ip;
    }

    private static boolean isIpv4Mapped(byte[] b) {
        if (b.length != 16) {
            return false;
        }
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }
}
