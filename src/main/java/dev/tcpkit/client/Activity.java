package dev.tcpkit.client;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What the session thread waits on: reads from the server and the end of the connection. Written by the event loop,
 * read by the session thread; every wait is bounded or ends with the connection.
 */
final class Activity {
    private long reads;
    private long lastReadNanos = System.nanoTime();
    private boolean closed;
    private @Nullable Throwable failure;

    synchronized void read() {
        reads++;
        lastReadNanos = System.nanoTime();
        notifyAll();
    }

    synchronized void failed(Throwable cause) {
        if (failure == null) {
            failure = cause;
        }
    }

    synchronized void closed() {
        closed = true;
        notifyAll();
    }

    synchronized long reads() {
        return reads;
    }

    synchronized boolean isClosed() {
        return closed;
    }

    /** Why the connection ended abnormally (a reset, say), or {@code null}. */
    synchronized @Nullable Throwable failure() {
        return failure;
    }

    /** Waits until a read beyond the first {@code seen}, the end of the connection, or the timeout. */
    synchronized void awaitReadAfter(long seen, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (reads <= seen && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /**
     * Waits until the connection ends or {@code silence} passes without a read, counted from now or from the last
     * read if one comes later: a reply to what was just sent gets the whole silence, however long ago the previous
     * read (or none at all) was.
     */
    synchronized void awaitCloseOrSilence(Duration silence) throws InterruptedException {
        long start = System.nanoTime();
        while (!closed) {
            long since = lastReadNanos - start > 0 ? lastReadNanos : start;
            long left = since + silence.toNanos() - System.nanoTime();
            if (left <= 0) {
                return;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    /** Waits until the connection ends. */
    synchronized void awaitClose() throws InterruptedException {
        while (!closed) {
            wait();
        }
    }
}
