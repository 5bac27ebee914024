package dev.tcpkit.app.client;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPromise;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
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

    /**
     * A promise for a write to {@code channel} whose failure counts as the connection's: a reset or broken pipe that
     * only the sending side sees ends the session as lost, like one seen by a read. Netty closes the channel on such
     * a write error without an {@code exceptionCaught}, and the session would otherwise end as if the server had
     * closed normally. A write to a connection already closed (by the server's end, or by us) is no failure.
     */
    ChannelPromise newWritePromise(Channel channel) {
        ChannelPromise promise = channel.newPromise();
        // Listening before the write starts: the failure is recorded before the channel's close is seen.
        promise.addListener(written -> {
            Throwable cause = written.cause();
            if (cause instanceof IOException && !(cause instanceof ClosedChannelException)) {
                failed(cause);
            }
        });
        return promise;
    }

    /** On the event loop, when the connection's writability changed: a sender waiting for it looks again. */
    synchronized void writabilityChanged() {
        notifyAll();
    }

    /**
     * Waits while the connection is not writable: a server that does not read, or a {@code --hex-dump} behind its
     * writer, holds the sender here rather than what it sends in memory. Ends with the connection.
     */
    private synchronized void awaitWritable(Channel channel) {
        while (!channel.isWritable() && !closed) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Writes {@code bytes} to {@code channel} once it is writable and waits until they are written. Returns whether the connection still
     * took them; when it did not, the session sees why once the connection ends (see {@link #newWritePromise}).
     * Called by the sending threads, never on the event loop.
     */
    boolean send(Channel channel, byte[] bytes) {
        if (bytes.length == 0) {
            return true;
        }
        awaitWritable(channel);
        return channel.writeAndFlush(Unpooled.wrappedBuffer(bytes), newWritePromise(channel))
                .awaitUninterruptibly()
                .isSuccess();
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
