package dev.tcpkit.service.chat;

import dev.tcpkit.testing.MemoryProbe;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Watches, on a daemon thread of its own, what a chat server holds for the room (all queues together, and the largest
 * one) and Netty's direct memory, keeping the peaks. The period is each test's own: a finer one sees shorter peaks.
 */
class QueueSampler {
    private final ChatService chat;
    private final long periodMillis;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread = new Thread(this::run, "sampler");
    private volatile long peakQueued;
    private volatile long peakLargest;
    private volatile long peakDirect;

    QueueSampler(ChatService chat, long periodMillis) {
        this.chat = chat;
        this.periodMillis = periodMillis;
    }

    /** Starts sampling; returns this. */
    final QueueSampler start() {
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /** Stops sampling and waits (at most 5 s) for the last sample. */
    final void stop() throws InterruptedException {
        running.set(false);
        thread.join(5_000);
    }

    private void run() {
        while (running.get()) {
            sample();
            try {
                Thread.sleep(periodMillis); // a sampling period, not synchronisation
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One sample; a subclass that watches more adds to it. */
    void sample() {
        peakQueued = Math.max(peakQueued, chat.queuedBytes());
        peakLargest = Math.max(peakLargest, chat.largestQueue());
        peakDirect = Math.max(peakDirect, MemoryProbe.usedDirectMemory());
    }

    final long peakQueued() {
        return peakQueued;
    }

    final long peakLargest() {
        return peakLargest;
    }

    final long peakDirect() {
        return peakDirect;
    }
}
