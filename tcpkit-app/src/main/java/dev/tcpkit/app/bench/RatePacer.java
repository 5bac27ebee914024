package dev.tcpkit.app.bench;

import java.util.concurrent.TimeUnit;

/**
 * Open loop on one event loop: tells each connection when its next message is due, whatever the echoes do.
 *
 * <p>Every connection has the same period and their first messages are spread evenly over one period, so the due
 * times of all of a loop's connections, taken in order of connection number, cycle in a fixed order: message {@code
 * m} of the loop is message {@code m / n} of connection {@code m % n}. The pacer walks that sequence, wakes at the
 * next due time, and stops at the end of the measurement. A connection that cannot send yet (its depth is full)
 * sends later, but the latency of each message is still counted from its due time: the delay a slow server causes is
 * measured, not hidden (coordinated omission).
 */
final class RatePacer implements Runnable {
    private final LoopState loop;
    private final BenchHandler[] connections;
    /** Past the last message any connection sends (their shares of a count). */
    private final long end;

    private long next;

    RatePacer(LoopState loop, BenchHandler[] connections) {
        this.loop = loop;
        this.connections = connections;
        long last = 0;
        for (BenchHandler connection : connections) {
            last = Math.max(last, connection.quotaEnd());
        }
        this.end = last;
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // ends with the run; nothing waits for it
    public void run() {
        int n = connections.length;
        long now = System.nanoTime();
        while (true) {
            BenchHandler connection = connections[(int) (next % n)];
            long k = next / n;
            long due = connection.intended(k);
            if (k >= end || due >= loop.measureEnd) {
                return;
            }
            if (due > now) {
                loop.eventLoop.schedule(this, due - now, TimeUnit.NANOSECONDS);
                return;
            }
            connection.due(k + 1, now);
            next++;
        }
    }
}
