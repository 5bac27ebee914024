package dev.tcpkit.service.forward;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The {@code --to} list, taken in turn (round robin): each connection starts at the next upstream. An upstream whose
 * connect failed is skipped for {@code retryAfter}; when every one is skipped, all are tried.
 */
final class Upstreams {
    private final List<Upstream> all;
    private final long retryAfterNanos;
    private final LongSupplier nanoTime;
    private final AtomicInteger next = new AtomicInteger();

    Upstreams(List<Upstream> all, Duration retryAfter, LongSupplier nanoTime) {
        this.all = List.copyOf(all);
        this.retryAfterNanos = retryAfter.toNanos();
        this.nanoTime = nanoTime;
    }

    /** The upstreams to try for one connection, in order: the ones up, from the next in turn; else all of them. */
    List<Upstream> order() {
        int n = all.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        long now = nanoTime.getAsLong();
        List<Upstream> up = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            Upstream u = all.get((start + k) % n);
            if (u.isUp(now)) {
                up.add(u);
            }
        }
        if (!up.isEmpty()) {
            return up;
        }
        List<Upstream> every = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            every.add(all.get((start + k) % n));
        }
        return every;
    }

    void failed(Upstream upstream) {
        upstream.markDown(nanoTime.getAsLong() + retryAfterNanos);
    }

    void connected(Upstream upstream) {
        upstream.markUp();
    }

    List<Upstream> all() {
        return all;
    }
}
