package dev.tcpkit.guard;

import dev.tcpkit.internal.LogThrottle;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * One kind of log line ({@code refused}, {@code denied}, {@code cut}) at most once a second, so that a flood of
 * connections cannot flood the log: the lines left out are counted and the next line says how many there were.
 * Called from every event loop of a server.
 */
final class RateLimitedLog {
    private final Logger log;
    private final String verb;
    private final LogThrottle throttle;

    /**
     * @param verb what happened to the connection, the line's first word
     * @param nanoTime the clock, {@code System::nanoTime} outside tests
     */
    RateLimitedLog(Logger log, String verb, LongSupplier nanoTime) {
        this.log = log;
        this.verb = verb;
        this.throttle = new LogThrottle(Duration.ofSeconds(1), nanoTime);
    }

    /** Logs {@code "<verb> <who>: <why>"} unless a line of this kind went out less than a second ago. */
    void log(String who, String why) {
        long more = throttle.tryAcquire();
        if (more == 0) {
            log.info("{} {}: {}", verb, who, why);
        } else if (more > 0) {
            log.info("{} {}: {} (and {} more {} since the last such line)", verb, who, why, more, verb);
        }
    }
}
