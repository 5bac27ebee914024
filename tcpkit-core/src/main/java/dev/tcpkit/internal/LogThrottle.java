package dev.tcpkit.internal;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * At most one log line per interval for an event that a flood can repeat thousands of times a second (a scanner
 * sending garbage to a TLS port, say): the first event of each interval is logged, with the number of events left
 * unlogged since the last line; the others are not. Thread-safe: shared by all the event loops of a server.
 */
public final class LogThrottle {
    private final long intervalNanos;
    private final LongSupplier nanoTime;
    private final AtomicLong nextAllowed;
    private final AtomicLong suppressed = new AtomicLong();

    /** One line per {@code interval}, timed by {@code nanoTime} (tests pass a fake ticker). */
    public LogThrottle(Duration interval, LongSupplier nanoTime) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must be >= 0: " + interval);
        }
        this.intervalNanos = interval.toNanos();
        this.nanoTime = nanoTime;
        this.nextAllowed = new AtomicLong(nanoTime.getAsLong());
    }

    /** One line a second, on the system's monotonic clock. */
    public static LogThrottle perSecond() {
        return new LogThrottle(Duration.ofSeconds(1), System::nanoTime);
    }

    /**
     * Records an event. Returns {@code -1} if it must not be logged, otherwise how many events went unlogged since
     * the last one that was (to be shown in its line).
     */
    public long tryAcquire() {
        long now = nanoTime.getAsLong();
        long next = nextAllowed.get();
        if (now - next >= 0 && nextAllowed.compareAndSet(next, now + intervalNanos)) {
            return suppressed.getAndSet(0);
        }
        suppressed.incrementAndGet();
        return -1;
    }
}
