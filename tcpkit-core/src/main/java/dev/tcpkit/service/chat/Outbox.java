package dev.tcpkit.service.chat;

import dev.tcpkit.internal.Durations;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The lines waiting to be sent to one chat client, bounded in bytes.
 *
 * <p>Any thread may {@link #offer} a line (another client's event loop relaying, or a notice); this client's own
 * event loop writes the lines in batches, and only while the channel is writable. Once Netty's buffer for the client
 * passes its high water mark (the client reads slower than the room talks), lines wait here until Netty reports the
 * channel writable again ({@link #writable()}): so Netty holds about one water mark, and the rest is counted here,
 * each line with what it costs on the heap. An offer never blocks and never waits for the client.
 *
 * <p>The client does not read, and {@code notReading} runs once (then the outbox takes no more lines), when:
 *
 * <ul>
 *   <li>a line would bring what waits here over the limit; it runs on the offering thread and the line is dropped;
 *   <li>lines have waited here for the whole send timeout while the client took nothing, not one byte (nginx's
 *       {@code send_timeout}); it runs on the client's loop. Without this rule a client that stops reading in a
 *       quiet room would never be cut: the senders whose lines it holds pause (see {@link Backlog}) before its queue
 *       can fill.
 * </ul>
 *
 * <p>Lines are written in the order offered (one FIFO queue), so each sender's lines reach each receiver in order.
 * Whoever takes a line from the queue, to write it or to drop it, releases it from its sender's {@link Backlog}.
 */
final class Outbox {
    /** Lines are copied into one buffer of about this size per write, so a burst costs one write, not hundreds. */
    private static final int BATCH = 16 * 1024;
    /**
     * What a waiting line costs beyond its bytes: a queue node and an array header. Counted, so that the limit bounds
     * memory even for a client buried in short lines.
     */
    static final int LINE_COST = 40;
    /** Batches written per drain before it yields the event loop to its other channels. */
    private static final int ROUNDS = 16;

    /**
     * One line on its way to one or more clients (the same object is offered to each), and the sender whose
     * {@link Backlog} it counts in: none for what the server says itself.
     */
    static final class Line {
        private final byte[] bytes;
        private final @Nullable Backlog sender;

        Line(byte[] bytes, @Nullable Backlog sender) {
            this.bytes = bytes;
            this.sender = sender;
        }

        /** The line as it goes on the wire: encoded, ending with a newline. Never changed. */
        byte[] bytes() {
            return bytes;
        }

        @Nullable
        Backlog sender() {
            return sender;
        }

        /** What the line costs while it waits in one outbox. */
        long cost() {
            return (long) bytes.length + LINE_COST;
        }
    }

    private final Channel channel;
    private final long maxBytes;
    private final long sendTimeoutNanos;
    private final Consumer<String> notReading;
    private final Queue<Line> lines = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** True while a drain is due: a task is queued on the event loop, or it waits for the channel to be writable. */
    private final AtomicBoolean scheduled = new AtomicBoolean();

    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    /** Event loop only: the lines of the batch being built. */
    private final List<Line> batch = new ArrayList<>();
    /** Event loop only: a drain is running (a flush inside it may report the channel writable again). */
    private boolean draining;
    /** Event loop only: a send-timeout check is scheduled. */
    private boolean watching;
    /** Event loop only: lines were written to the channel since the last send-timeout check. */
    private boolean moved;
    /** Event loop only: what Netty still had to write before the channel is writable, at the last check. */
    private long pendingAtCheck;

    /**
     * @param channel the client's connection
     * @param maxBytes the most that may wait here; a single line is always accepted into an empty outbox
     * @param sendTimeout how long lines may wait here while the client takes nothing
     * @param notReading runs once, with the reason, when the client is found not reading
     */
    Outbox(Channel channel, long maxBytes, Duration sendTimeout, Consumer<String> notReading) {
        this.channel = channel;
        this.maxBytes = maxBytes;
        this.sendTimeoutNanos = sendTimeout.toNanos();
        this.notReading = notReading;
    }

    /** Queues {@code bytes}, which no other client pays for, for the client; see {@link #offer(Line)}. */
    boolean offer(byte[] bytes) {
        return offer(new Line(bytes, null));
    }

    /**
     * Queues {@code line} for the client, from any thread. True if it was queued: its cost is then released from its
     * sender's backlog when it leaves the queue, written or dropped. False if the outbox is closed or just overflowed.
     */
    boolean offer(Line line) {
        if (closed.get()) {
            return false;
        }
        long cost = line.cost();
        long before;
        do {
            before = queuedBytes.get();
            if (before > 0 && before + cost > maxBytes) {
                if (closed.compareAndSet(false, true)) {
                    notReading.accept("more than " + maxBytes + " bytes waiting for it (--max-queue)");
                }
                return false;
            }
        } while (!queuedBytes.compareAndSet(before, before + cost));
        lines.offer(line);
        if (closed.get()) {
            dropAll(); // closed meanwhile: nobody would take it
            return true;
        }
        if (scheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(drainTask);
            } catch (RejectedExecutionException e) {
                closed.set(true); // the server is shutting down its event loops: nothing will be sent any more
                dropAll();
            }
        }
        return true;
    }

    /**
     * What waits here now, in bytes with {@link #LINE_COST} per line (not counting Netty's own buffer, which is bounded
     * by the high water mark).
     */
    long queuedBytes() {
        return Math.max(0, queuedBytes.get());
    }

    /** The channel became writable again: write what waits. Event loop only. */
    void writable() {
        if (!lines.isEmpty()) {
            drain();
        }
    }

    /**
     * Takes no more lines, writes everything that waits regardless of the water mark (bounded by the limit), then
     * closes the connection once that is flushed. Event loop only.
     */
    void finish() {
        closed.set(true);
        move(true);
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    /** Takes no more lines and drops those waiting: the connection is gone. */
    void close() {
        closed.set(true);
        dropAll();
    }

    /** Any thread: drops what waits, releasing each line from its sender's backlog. */
    private void dropAll() {
        Line line;
        while ((line = lines.poll()) != null) {
            queuedBytes.addAndGet(-line.cost());
            Backlog sender = line.sender();
            if (sender != null) {
                sender.release(line.cost());
            }
        }
    }

    private void drain() {
        if (draining) {
            return; // the drain running further up this stack looks at writability again after its flush
        }
        draining = true;
        try {
            for (int round = 0; round < ROUNDS; round++) {
                if (!channel.isActive()) {
                    return; // close() drops the rest when the connection's end is handled
                }
                if (move(false)) {
                    channel.flush();
                }
                if (!lines.isEmpty()) {
                    if (channel.isWritable()) {
                        continue; // the flush made room
                    }
                    watch();
                    return; // stays scheduled: the next writable() drains
                }
                scheduled.set(false);
                // An offer between the last poll and the line above saw "scheduled" and did not schedule.
                if (lines.isEmpty() || !scheduled.compareAndSet(false, true)) {
                    return;
                }
            }
            channel.eventLoop().execute(drainTask); // still busy: let the loop's other channels have a turn
        } finally {
            draining = false;
        }
    }

    /**
     * Lines wait and the channel is not writable: checks, once per send timeout, that the client took something
     * meanwhile. Event loop only.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the check reschedules itself or ends; nothing waits for it
    private void watch() {
        if (watching || closed.get()) {
            return;
        }
        watching = true;
        moved = false;
        pendingAtCheck = channel.bytesBeforeWritable();
        try {
            channel.eventLoop().schedule(this::checkTaken, sendTimeoutNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            watching = false; // the server is shutting down: it closes the connection anyway
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // as above
    private void checkTaken() {
        watching = false;
        if (closed.get() || !channel.isActive() || lines.isEmpty() || channel.isWritable()) {
            return; // nothing waits, or it can be written: the drain goes on without a watch
        }
        long pending = channel.bytesBeforeWritable();
        if (!moved && pending >= pendingAtCheck) {
            if (closed.compareAndSet(false, true)) {
                notReading.accept("nothing taken for " + Durations.format(Duration.ofNanos(sendTimeoutNanos))
                        + " while lines waited for it");
            }
            return;
        }
        watch(); // it took some: watch the next period
    }

    /** Writes waiting lines in batches while the channel is writable, or all of them; true if it wrote any. */
    // A void promise: a failed write reaches ChatHandler.exceptionCaught, which closes the connection.
    @SuppressWarnings("FutureReturnValueIgnored")
    private boolean move(boolean all) {
        boolean wrote = false;
        while (all || channel.isWritable()) {
            int size = 0;
            Line line;
            while (size < BATCH && (line = lines.poll()) != null) {
                batch.add(line);
                size += line.bytes().length;
            }
            if (batch.isEmpty()) {
                break;
            }
            queuedBytes.addAndGet(-(size + (long) LINE_COST * batch.size()));
            // Sized to its content: a slow reader's Netty buffer then holds its water mark in bytes, not in chunks.
            ByteBuf buf = channel.alloc().ioBuffer(size);
            for (Line l : batch) {
                buf.writeBytes(l.bytes());
            }
            channel.write(buf, channel.voidPromise());
            release(batch);
            batch.clear();
            wrote = true;
        }
        if (wrote) {
            moved = true;
        }
        return wrote;
    }

    /** Releases written lines from their senders' backlogs: once per run of one sender's lines, not once per line. */
    private static void release(List<Line> written) {
        Backlog payer = null;
        long owed = 0;
        for (Line line : written) {
            Backlog sender = line.sender();
            if (sender != payer) {
                if (payer != null) {
                    payer.release(owed);
                }
                payer = sender;
                owed = 0;
            }
            owed += line.cost();
        }
        if (payer != null) {
            payer.release(owed);
        }
    }
}
