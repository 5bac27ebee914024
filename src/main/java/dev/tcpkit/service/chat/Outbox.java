package dev.tcpkit.service.chat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lines waiting to be sent to one chat client, bounded in bytes.
 *
 * <p>Any thread may {@link #offer} a line (another client's event loop relaying, or a notice); this client's own
 * event loop writes the lines in batches, and only while the channel is writable. Once Netty's buffer for the client
 * passes its high water mark (the client reads slower than the room talks), lines wait here until Netty reports the
 * channel writable again ({@link #writable()}): so Netty holds about one water mark, and the rest is counted here,
 * each line with what it costs on the heap.
 * When a line would bring what waits here over the limit, the client is not keeping up: the outbox closes, the line
 * is dropped, and {@code onOverflow} runs, once, on the offering thread. An offer never blocks and never waits for
 * the client.
 *
 * <p>Lines are written in the order offered (one FIFO queue), so each sender's lines reach each receiver in order.
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

    private final Channel channel;
    private final long maxBytes;
    private final Runnable onOverflow;
    private final Queue<byte[]> lines = new ConcurrentLinkedQueue<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    /** True while a drain is due: a task is queued on the event loop, or it waits for the channel to be writable. */
    private final AtomicBoolean scheduled = new AtomicBoolean();

    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable drainTask = this::drain;
    /** Event loop only: the lines of the batch being built. */
    private final List<byte[]> batch = new ArrayList<>();
    /** Event loop only: a drain is running (a flush inside it may report the channel writable again). */
    private boolean draining;

    /**
     * @param channel the client's connection
     * @param maxBytes the most that may wait here; a single line is always accepted into an empty outbox
     * @param onOverflow runs once when a line does not fit
     */
    Outbox(Channel channel, long maxBytes, Runnable onOverflow) {
        this.channel = channel;
        this.maxBytes = maxBytes;
        this.onOverflow = onOverflow;
    }

    /** Queues {@code line} for the client, from any thread; false if the outbox is closed or just overflowed. */
    boolean offer(byte[] line) {
        if (closed.get()) {
            return false;
        }
        long cost = (long) line.length + LINE_COST;
        long before;
        do {
            before = queuedBytes.get();
            if (before > 0 && before + cost > maxBytes) {
                if (closed.compareAndSet(false, true)) {
                    onOverflow.run();
                }
                return false;
            }
        } while (!queuedBytes.compareAndSet(before, before + cost));
        lines.offer(line);
        if (scheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(drainTask);
            } catch (RejectedExecutionException e) {
                closed.set(true); // the server is shutting down its event loops: nothing will be sent any more
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
        lines.clear();
        queuedBytes.set(0);
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

    /** Writes waiting lines in batches while the channel is writable, or all of them; true if it wrote any. */
    // A void promise: a failed write reaches ChatHandler.exceptionCaught, which closes the connection.
    @SuppressWarnings("FutureReturnValueIgnored")
    private boolean move(boolean all) {
        boolean wrote = false;
        while (all || channel.isWritable()) {
            int size = 0;
            byte[] line;
            while (size < BATCH && (line = lines.poll()) != null) {
                batch.add(line);
                size += line.length;
            }
            if (batch.isEmpty()) {
                break;
            }
            queuedBytes.addAndGet(-(size + (long) LINE_COST * batch.size()));
            // Sized to its content: a slow reader's Netty buffer then holds its water mark in bytes, not in chunks.
            ByteBuf buf = channel.alloc().ioBuffer(size);
            for (byte[] l : batch) {
                buf.writeBytes(l);
            }
            batch.clear();
            channel.write(buf, channel.voidPromise());
            wrote = true;
        }
        return wrote;
    }
}
