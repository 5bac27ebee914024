package dev.tcpkit.guard;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code --max-connections} and {@code --max-connections-per-ip}: slots taken when a connection is admitted and given
 * back when it closes. Shared by every event loop of a server, so the counts are atomic; an address with no open
 * connection has no entry, so the map holds at most one entry per open connection.
 */
final class ConnectionLimits {
    private final int max;
    private final int maxPerIp;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentMap<InetAddress, Integer> openPerIp = new ConcurrentHashMap<>();

    /** {@code 0} means no limit, for either. */
    ConnectionLimits(int max, int maxPerIp) {
        this.max = max;
        this.maxPerIp = maxPerIp;
    }

    int max() {
        return max;
    }

    int maxPerIp() {
        return maxPerIp;
    }

    /** Takes one of the server's slots for {@code ch}, given back when it closes; false if none is free. */
    boolean tryTake(Channel ch) {
        if (max == 0) {
            return true;
        }
        int n;
        do {
            n = open.get();
            if (n >= max) {
                return false;
            }
        } while (!open.compareAndSet(n, n + 1));
        ch.closeFuture().addListener(f -> open.decrementAndGet());
        return true;
    }

    /** Takes one of {@code client}'s slots for {@code ch}, given back when it closes; false if none is free. */
    boolean tryTakeFor(Channel ch, InetAddress client) {
        if (maxPerIp == 0) {
            return true;
        }
        boolean[] taken = {false};
        openPerIp.compute(client, (ip, n) -> {
            int current = n == null ? 0 : n;
            if (current >= maxPerIp) {
                return current;
            }
            taken[0] = true;
            return current + 1;
        });
        if (taken[0]) {
            ch.closeFuture().addListener(f -> openPerIp.computeIfPresent(client, (ip, n) -> n == 1 ? null : n - 1));
        }
        return taken[0];
    }
}
