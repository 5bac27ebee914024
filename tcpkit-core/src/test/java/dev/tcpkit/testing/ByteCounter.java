package dev.tcpkit.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** Counts bytes a writer thread has pushed, and tells when it has stopped making progress. */
public final class ByteCounter {
    private final AtomicLong count = new AtomicLong();
    private long lastSeen = -1;
    private long lastChangeNanos = System.nanoTime();

    public void add(long n) {
        count.addAndGet(n);
    }

    public long get() {
        return count.get();
    }

    /** Waits (at most 60 s) until the count has not changed for one second; returns it. */
    public long awaitStall() {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(this::stalledForASecond);
        return count.get();
    }

    private boolean stalledForASecond() {
        long now = System.nanoTime();
        long c = count.get();
        if (c != lastSeen) {
            lastSeen = c;
            lastChangeNanos = now;
            return false;
        }
        return c > 0 && now - lastChangeNanos >= 1_000_000_000L;
    }
}
