package dev.tcpkit.guard;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * One kind of log line ({@code refused}, {@code denied}, {@code cut}) at most once a second, so that a flood of
 * connections cannot flood the log: the lines left out are counted and the next line says how many there were.
 * Called from every event loop of a server.
 */
final class RateLimitedLog {
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Logger log;
    private final String verb;
    private final LongSupplier nanoTime;
    private final AtomicLong nextLineAt;
    private final AtomicLong leftOut = new AtomicLong();

    /**
     * @param verb what happened to the connection, the line's first word
     * @param nanoTime the clock, {@code System::nanoTime} outside tests
     */
    RateLimitedLog(Logger log, String verb, LongSupplier nanoTime) {
        this.log = log;
        this.verb = verb;
        this.nanoTime = nanoTime;
        this.nextLineAt = new AtomicLong(nanoTime.getAsLong());
    }

    /** Logs {@code "<verb> <who>: <why>"} unless a line of this kind went out less than a second ago. */
    void log(String who, String why) {
        long now = nanoTime.getAsLong();
        long next = nextLineAt.get();
        if (now - next < 0 || !nextLineAt.compareAndSet(next, now + INTERVAL_NANOS)) {
            leftOut.incrementAndGet();
            return;
        }
        long more = leftOut.getAndSet(0);
        if (more == 0) {
            log.info("{} {}: {}", verb, who, why);
        } else {
            log.info("{} {}: {} (and {} more {} since the last such line)", verb, who, why, more, verb);
        }
    }
}
