package dev.tcpkit.service.chat;

import java.util.concurrent.TimeUnit;

/**
 * One client's line rate ({@code --max-line-rate}): at most {@code perSecond} lines a second, of which a client that was
 * quiet may send a second's worth at once. The generic cell rate algorithm (GCRA, ATM's and many rate limiters'):
 * one due time, no bucket to refill. Event loop only; time is given, in nanoseconds of the loop's ticker.
 */
final class LinePace {
    private static final long BURST_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long interval;
    /** When the next line may be handled, shifted back by the burst: a line is due when this is not after now. */
    private long due;

    LinePace(int perSecond, long now) {
        if (perSecond < 1) {
            throw new IllegalArgumentException("perSecond must be >= 1: " + perSecond);
        }
        this.interval = BURST_NANOS / perSecond;
        this.due = now - BURST_NANOS + interval;
    }

    /**
     * Takes a line at {@code now}: 0 if it may be handled now (it then counts against the rate), otherwise how many
     * nanoseconds until it may.
     */
    long take(long now) {
        long wait = due - now;
        if (wait > 0) {
            return wait;
        }
        due = Math.max(due, now - BURST_NANOS + interval) + interval;
        return 0;
    }
}
