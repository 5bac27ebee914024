package dev.tcpkit.output;

import dev.tcpkit.sink.RecordSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Hands the record writer's message records to its {@link RecordSink}, each key's in the order written, on threads of
 * its own: a send into Kafka costs about as much as everything else the writer does for a record, so they run side by
 * side (docs/PERFORMANCE.md), and a sink that waits (a full buffer) holds these threads, not stdout and the file.
 * With {@link RecordSink#senders()} above one, each key belongs to one sender thread, so its records keep their order.
 *
 * <p>Never blocks its caller; what waits here is bounded by the writer's callers, as what waits for the writer is:
 * a group's callback runs only once the sink has every record of it.
 */
final class SinkFeed {
    private static final List<Group> STOP = List.of();
    /** In place of a record's JSON once sent, so that it is garbage while the rest of its batch waits. */
    private static final byte[] SENT = new byte[0];

    private final RecordSink sink;
    private final Sender[] senders;
    /** Records handed to this feed that the sink has neither delivered nor rejected yet. */
    private final AtomicLong pending = new AtomicLong();
    /**
     * When each group was handed over, by its sequence number, until the sink has all of it: the oldest is the
     * backlog's age. Per group, not per record: a map update per record cost as much as the send.
     */
    private final ConcurrentSkipListMap<Long, Long> handedAt = new ConcurrentSkipListMap<>();

    private long groups;

    SinkFeed(RecordSink sink) {
        this.sink = sink;
        int count = Math.max(1, sink.senders());
        this.senders = new Sender[count];
        for (int i = 0; i < count; i++) {
            senders[i] = new Sender(i, count == 1 ? "tcpkit-sink" : "tcpkit-sink-" + (i + 1));
        }
    }

    RecordSink sink() {
        return sink;
    }

    /**
     * A write's message records with their JSON, {@code json[start, start + count)}; {@code onWritten} runs once the
     * sink has every one, {@code onRejected} once if it refused one for good.
     */
    final class Group implements Consumer<@Nullable Throwable> {
        /**
         * Each message record's client, its key: the records themselves are not kept, nor is anything once sent.
         * What a record holds while it waits here outlives a young collection and is copied, then promoted.
         */
        private String @Nullable [] keys;

        private @Nullable List<byte[]> json;

        /**
         * The sender of every record, if they share one (the usual case: one connection's records); else -1 and each
         * sender picks its own from the keys.
         */
        private final int only;

        private final int start;
        private final @Nullable Runnable onWritten;
        private final @Nullable Consumer<Throwable> onRejected;
        private final AtomicInteger left;
        private final AtomicBoolean rejected = new AtomicBoolean();
        private final long id = groups++;

        Group(
                List<? extends OutputRecord> records,
                List<byte[]> json,
                int start,
                int count,
                @Nullable Runnable onWritten,
                @Nullable Consumer<Throwable> onRejected) {
            String[] clients = new String[count];
            int i = 0;
            for (OutputRecord record : records) {
                if (record instanceof MessageRecord message) {
                    clients[i++] = message.client();
                }
            }
            this.keys = clients;
            this.only = senderOf(clients);
            this.json = json;
            this.start = start;
            this.onWritten = onWritten;
            this.onRejected = onRejected;
            this.left = new AtomicInteger(count);
        }

        /** Sends this group's records that belong to {@code sender}: all of them when it is the group's only one. */
        private void send(int sender) {
            String[] clients = keys;
            List<byte[]> encoded = json;
            if (clients == null || encoded == null) {
                return;
            }
            if (only >= 0) {
                keys = null;
                json = null;
            }
            for (int i = 0; i < clients.length; i++) {
                if (only >= 0 || senderOf(clients[i]) == sender) {
                    sink.send(clients[i], encoded.set(start + i, SENT), this);
                }
            }
        }

        @Override
        public void accept(@Nullable Throwable error) {
            pending.decrementAndGet();
            boolean last = left.decrementAndGet() == 0;
            if (last) {
                handedAt.remove(id);
            }
            if (error != null) {
                if (rejected.compareAndSet(false, true) && onRejected != null) {
                    onRejected.accept(error);
                }
            } else if (last && !rejected.get() && onWritten != null) {
                RecordWriter.runQuietly(onWritten);
            }
        }
    }

    /** The sender thread of a key: always the same one, so that the key's records keep their order. */
    private int senderOf(String key) {
        return Math.floorMod(key.hashCode(), senders.length);
    }

    /** The sender of all these keys, or -1 if they have more than one. */
    private int senderOf(String[] keys) {
        int sender = keys.length == 0 ? 0 : senderOf(keys[0]);
        for (int i = 1; i < keys.length; i++) {
            if (senderOf(keys[i]) != sender) {
                return -1;
            }
        }
        return sender;
    }

    /**
     * Queues a batch's groups, in order, for the sink: each group to the sender of its records, or to every sender if
     * they have several; made by the writer's thread only.
     */
    void hand(List<Group> batch) {
        long now = System.nanoTime();
        for (Group group : batch) {
            pending.addAndGet(group.left.get());
            handedAt.put(group.id, now);
        }
        if (senders.length == 1) {
            senders[0].queue.add(batch);
            return;
        }
        for (int i = 0; i < senders.length; i++) {
            List<Group> mine = new ArrayList<>(batch.size());
            for (Group group : batch) {
                if (group.only == i || group.only < 0) {
                    mine.add(group);
                }
            }
            if (!mine.isEmpty()) {
                senders[i].queue.add(mine);
            }
        }
    }

    /** Records handed over and neither delivered nor rejected yet. */
    long pending() {
        return pending.get();
    }

    /** How long the oldest record not delivered yet has waited for the sink, in milliseconds; 0 if none. */
    long oldestAgeMillis() {
        Map.Entry<Long, Long> oldest = handedAt.firstEntry();
        return oldest == null
                ? 0
                : Duration.ofNanos(System.nanoTime() - oldest.getValue()).toMillis();
    }

    /**
     * Hands over whatever was queued before, then ends the threads; waits for that until {@code deadline} ({@link
     * System#nanoTime}).
     */
    void stop(long deadline) {
        for (Sender sender : senders) {
            sender.queue.add(STOP);
        }
        for (Sender sender : senders) {
            RecordWriter.joinBy(sender.thread, deadline);
        }
    }

    /** A thread that sends, in order, the records of the groups queued for it that belong to it. */
    private static final class Sender {
        private final int index;
        private final BlockingQueue<List<Group>> queue = new LinkedBlockingQueue<>();
        private final Thread thread;

        Sender(int index, String name) {
            this.index = index;
            this.thread = new Thread(this::run, name);
            // Left behind, blocked in a send, when the sink takes nothing until close() gives up on it.
            this.thread.setDaemon(true);
            this.thread.start();
        }

        private void run() {
            List<List<Group>> batches = new ArrayList<>();
            while (true) {
                try {
                    batches.add(queue.take());
                } catch (InterruptedException e) {
                    continue; // only stop() ends this thread, so that nothing handed over is skipped
                }
                queue.drainTo(batches);
                for (List<Group> batch : batches) {
                    if (batch == STOP) {
                        return;
                    }
                    for (Group group : batch) {
                        group.send(index);
                    }
                }
                batches.clear();
            }
        }
    }
}
