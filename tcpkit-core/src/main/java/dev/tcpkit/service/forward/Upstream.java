package dev.tcpkit.service.forward;

import java.net.InetSocketAddress;

/**
 * One {@code --to} upstream: where to dial, and until when it counts as down after a failed connect. Read and marked
 * from every event loop.
 */
final class Upstream {
    private final String host;
    private final int port;
    private final String text;
    private final UpstreamMeters meters = new UpstreamMeters();
    /** Whether the last connect failed; a success clears it. */
    private volatile boolean down;
    /** {@link System#nanoTime()} until which this upstream is skipped, while {@link #down}. */
    private volatile long downUntil;

    Upstream(String host, int port) {
        this.host = host;
        this.port = port;
        this.text = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** The host as given: a name, or an IP literal (IPv6 without brackets). */
    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /** Unresolved: the name is looked up on each connect, so a changed address is followed. */
    InetSocketAddress address() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    UpstreamMeters meters() {
        return meters;
    }

    boolean isUp(long now) {
        return !down || now - downUntil >= 0;
    }

    void markDown(long until) {
        downUntil = until;
        down = true;
    }

    void markUp() {
        down = false;
    }

    /** {@code host:port}, an IPv6 literal in brackets. */
    @Override
    public String toString() {
        return text;
    }
}
