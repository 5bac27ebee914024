package dev.tcpkit.admin;

/**
 * Per-second rates over the last minutes, for the page's charts: new connections, bytes in and bytes out per second.
 *
 * <p>{@link #sample} is called once a second with the running totals; each sample stores the rate since the one
 * before. Written by the admin event loop only, read by the same loop when answering {@code /api/stats}.
 */
final class RateHistory {
    private final double[] connections;
    private final double[] bytesIn;
    private final double[] bytesOut;
    private int next;
    private int size;
    private long lastMillis = -1;
    private long lastAccepted;
    private long lastIn;
    private long lastOut;

    /** @param capacity how many samples to keep, e.g. 300 for five minutes at one a second */
    RateHistory(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1: " + capacity);
        }
        connections = new double[capacity];
        bytesIn = new double[capacity];
        bytesOut = new double[capacity];
    }

    /** Records the totals at {@code nowMillis}; from the second call on, adds the rates since the previous call. */
    void sample(long nowMillis, long accepted, long totalIn, long totalOut) {
        if (lastMillis >= 0 && nowMillis > lastMillis) {
            double seconds = (nowMillis - lastMillis) / 1000.0;
            connections[next] = (accepted - lastAccepted) / seconds;
            bytesIn[next] = (totalIn - lastIn) / seconds;
            bytesOut[next] = (totalOut - lastOut) / seconds;
            next = (next + 1) % connections.length;
            size = Math.min(size + 1, connections.length);
        }
        lastMillis = nowMillis;
        lastAccepted = accepted;
        lastIn = totalIn;
        lastOut = totalOut;
    }

    /** New connections per second, oldest first. */
    double[] connectionsPerSecond() {
        return ordered(connections);
    }

    /** Bytes received per second, oldest first. */
    double[] bytesInPerSecond() {
        return ordered(bytesIn);
    }

    /** Bytes sent per second, oldest first. */
    double[] bytesOutPerSecond() {
        return ordered(bytesOut);
    }

    private double[] ordered(double[] ring) {
        double[] out = new double[size];
        int start = (next - size + ring.length) % ring.length;
        for (int i = 0; i < size; i++) {
            out[i] = ring[(start + i) % ring.length];
        }
        return out;
    }
}
