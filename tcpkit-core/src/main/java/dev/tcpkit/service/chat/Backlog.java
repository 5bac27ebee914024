package dev.tcpkit.service.chat;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one client's lines hold in the room: the bytes of its lines still waiting in other clients' outboxes, each
 * line counted once per outbox with {@link Outbox#LINE_COST} more. The sender pays for a room that cannot keep up
 * with it: once this passes its {@code limit}, the client's reads pause, and they resume when it is back to half.
 *
 * <p>Thread-safe and cheap: the sender's event loop adds (once per line, for all its receivers at once), and each
 * receiver's event loop subtracts as it writes lines out (once per run of this sender's lines in a batch). Only the
 * drop to half while the sender waits costs more: one task on the sender's loop.
 */
final class Backlog {
    private final AtomicLong bytes = new AtomicLong();
    private final long limit;
    private final EventExecutor sender;
    private final Runnable caughtUp;
    private final Runnable wakeTask = this::wake;
    /** The sender's reads are paused until this is down to half its limit. */
    private volatile boolean waiting;

    private final AtomicBoolean wakeScheduled = new AtomicBoolean();

    /**
     * @param limit the most that may wait before the sender pauses
     * @param sender the sender's event loop, where {@code caughtUp} runs
     * @param caughtUp runs on the sender's loop when, after {@link #startWaiting()}, the backlog is back to half
     */
    Backlog(long limit, EventExecutor sender, Runnable caughtUp) {
        this.limit = limit;
        this.sender = sender;
        this.caughtUp = caughtUp;
    }

    /** The sender's loop: its line was offered to receivers, {@code bytes} in all. */
    void add(long bytes) {
        this.bytes.addAndGet(bytes);
    }

    /** Any loop: {@code bytes} of the sender's lines left an outbox (written out, or dropped with it). */
    void release(long bytes) {
        long now = this.bytes.addAndGet(-bytes);
        if (waiting && now <= limit / 2 && wakeScheduled.compareAndSet(false, true)) {
            try {
                sender.execute(wakeTask);
            } catch (RejectedExecutionException e) {
                // the server is shutting down: nobody to wake
            }
        }
    }

    /** Whether the sender has more waiting than its limit. */
    boolean over() {
        return bytes.get() > limit;
    }

    /**
     * The sender's loop: its reads pause until the backlog is back to half; false (and nothing to wait for) if it
     * already is.
     */
    boolean startWaiting() {
        waiting = true;
        // A receiver that released in between saw "waiting" false and scheduled nothing: look once more.
        if (bytes.get() <= limit / 2) {
            waiting = false;
            return false;
        }
        return true;
    }

    /** Bytes waiting now. */
    long bytes() {
        return Math.max(0, bytes.get());
    }

    long limit() {
        return limit;
    }

    private void wake() {
        wakeScheduled.set(false);
        if (waiting && bytes.get() <= limit / 2) {
            waiting = false;
            caughtUp.run();
        }
    }
}
