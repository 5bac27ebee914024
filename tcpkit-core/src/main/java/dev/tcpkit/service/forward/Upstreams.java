package dev.tcpkit.service.forward;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The {@code --to} list, taken in turn (round robin): each connection starts at the next upstream. An upstream whose
 * connect failed goes to the end of the order for {@code retryAfter}: tried only when every other one failed too.
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

    /**
     * The upstreams to try for one connection, each once, from the next in turn: the ones up first, then the ones
     * skipped since a failed connect, so that a connection only waits on a dead upstream when every live one failed
     * too, and the "no upstream" line names them all.
     */
    List<Upstream> order() {
        int n = all.size();
        int start = Math.floorMod(next.getAndIncrement(), n);
        long now = nanoTime.getAsLong();
        List<Upstream> order = new ArrayList<>(n);
        List<Upstream> down = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            Upstream u = all.get((start + k) % n);
            (u.isUp(now) ? order : down).add(u);
        }
        order.addAll(down);
        return order;
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
