package dev.tcpkit.internal;

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

    /** An address as users write it: IPv4-mapped IPv6 as plain IPv4, IPv6 shortened ({@code ::1}) and unscoped. */
    public static String hostOf(InetAddress ip) {
        InetAddress plain = unmapped(ip);
        if (plain instanceof Inet6Address) {
            String s = plain.getHostAddress();
            int scope = s.indexOf('%');
            return compress(scope >= 0 ? s.substring(0, scope) : s);
        }
        return plain.getHostAddress();
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

    /** Shortens the JDK's {@code 0:0:0:0:0:0:0:1} to {@code ::1} (the longest run of zero groups becomes ::). */
    private static String compress(String full) {
        String[] groups = full.split(":", -1);
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return head + "::" + tail;
    }
}
