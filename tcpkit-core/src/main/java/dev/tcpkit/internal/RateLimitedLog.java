package dev.tcpkit.internal;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * One kind of log line ({@code refused}, {@code denied}, {@code cut}) at most once a second per reason, so that a
 * flood of connections cannot flood the log: the lines left out are counted per reason, and the next line for that
 * reason says how many there were. A line's count is never another reason's: a flood of {@code --deny} hits is not
 * reported on the next {@code not in any --allow} line. Called from every event loop of a server.
 */
public final class RateLimitedLog {
    /**
     * Reasons counted on their own; beyond these, the rest share one line a second whose count says "for other
     * reasons". Reasons are few by construction (one per rule or limit), so this only bounds the log against reasons
     * that carry what a peer sent.
     */
    static final int MAX_REASONS = 64;

    private final Logger log;
    private final String verb;
    private final LongSupplier nanoTime;
    private final Map<String, LogThrottle> byReason = new ConcurrentHashMap<>();
    private final LogThrottle others;

    /**
     * @param verb what happened to the connection, the line's first word
     * @param nanoTime the clock, {@code System::nanoTime} outside tests
     */
    public RateLimitedLog(Logger log, String verb, LongSupplier nanoTime) {
        this.log = log;
        this.verb = verb;
        this.nanoTime = nanoTime;
        this.others = throttle();
    }

    /** Logs {@code "<verb> <who>: <why>"} unless a line for the same {@code why} went out less than a second ago. */
    public void log(String who, String why) {
        log(who, why, why);
    }

    /**
     * Logs {@code "<verb> <who>: <why>"} unless a line for the same {@code reason} went out less than a second ago.
     *
     * @param reason what groups lines whose text differs only in detail, such as the address a per-IP limit names
     */
    public void log(String who, String why, String reason) {
        LogThrottle throttle = byReason.get(reason);
        boolean other = false;
        if (throttle == null) {
            // The size check races with other event loops: the bound may be passed by a few, never without limit.
            if (byReason.size() < MAX_REASONS) {
                throttle = byReason.computeIfAbsent(reason, r -> throttle());
            } else {
                throttle = others;
                other = true;
            }
        }
        long more = throttle.tryAcquire();
        if (more == 0) {
            log.info("{} {}: {}", verb, who, why);
        } else if (more > 0) {
            log.info(
                    "{} {}: {} (and {} more {}{} since the last such line)",
                    verb,
                    who,
                    why,
                    more,
                    verb,
                    other ? " for other reasons" : "");
        }
    }

    private LogThrottle throttle() {
        return new LogThrottle(Duration.ofSeconds(1), nanoTime);
    }
}
