package dev.tcpkit.app.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One bench connection over UDP, a datagram channel connected to the server: each message is one datagram, a slice
 * of the pattern at the message's own place in the connection's stream, so that an echo tells by its bytes which
 * message it answers, whatever came before it.
 *
 * <p>A message not echoed within the timeout (counted from its send, in open loop from its scheduled send) is counted
 * lost, and its place in the window goes to the next one: the run goes on. Until then it holds the window, which
 * starts at the oldest message neither echoed nor lost (as an unechoed byte holds it over TCP): the messages after it
 * are echoed and counted, but none goes out more than {@code depth} messages after it. An echo that arrives after its message was
 * counted lost, or a second echo of one, is dropped; a datagram that is no message in flight (of another size, or
 * other bytes) fails the connection as a mismatch, as over TCP.
 */
final class DatagramBenchHandler extends BenchHandler {
    private final long timeoutNanos;
    private final int seed;
    /** Whether each message in flight has been echoed, in the ring of {@link #sendTimes}. */
    private final boolean[] echoed;
    /** Whether a check for lost messages is scheduled. */
    private boolean expiryScheduled;

    DatagramBenchHandler(
            int index, long connectStart, Map<EventLoop, LoopState> loops, int size, int depth, Duration timeout) {
        super(index, connectStart, loops, size, depth);
        this.timeoutNanos = timeout.toNanos();
        this.seed = EchoPattern.seed(index);
        this.echoed = new boolean[sendTimes.length];
    }

    /** Where message {@code k}'s bytes are in the pattern. */
    private int position(long k) {
        return EchoPattern.advance(seed, k * size);
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // see BenchHandler.write: the void promise reports failures
    void write(long first, long count) {
        ChannelHandlerContext c = context();
        EchoPattern pattern = loop().pattern;
        for (long k = first; k < first + count; k++) {
            c.write(pattern.slice(position(k), size), c.voidPromise());
        }
        scheduleExpiry(first + count);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long k;
        try {
            if (!live()) {
                return;
            }
            // NIO hands each datagram over as a packet; some native transports give a connected channel's as bytes.
            ByteBuf in = msg instanceof DatagramPacket datagram ? datagram.content() : (ByteBuf) msg;
            k = in.readableBytes() == size ? find(in) : -1;
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (k < 0) {
            die(Failure.MISMATCH);
            return;
        }
        int slot = (int) k & mask;
        if (k < completed || echoed[slot]) {
            return; // late (already counted lost) or duplicated
        }
        long now = System.nanoTime();
        echoed[slot] = true;
        LoopState l = loop();
        l.bytesEchoed(size);
        l.messageEchoed(now - sendTimes[slot], k >= measuredFrom, now);
        while (completed < sent && echoed[(int) completed & mask]) {
            echoed[(int) completed++ & mask] = false;
        }
        fill(now);
        checkDone(now);
    }

    /**
     * The number of the message whose bytes {@code in} are, or {@code -1}: first among those in flight (most often the
     * oldest), then among the last ones before them.
     */
    private long find(ByteBuf in) {
        long k = find(in, completed, sent);
        return k >= 0 ? k : find(in, Math.max(0, sent - sendTimes.length), completed);
    }

    private long find(ByteBuf in, long from, long to) {
        EchoPattern pattern = loop().pattern;
        for (long k = from; k < to; k++) {
            if (pattern.matches(position(k), in, in.readerIndex(), size)) {
                return k;
            }
        }
        return -1;
    }

    /**
     * Schedules the next check for lost messages, unless one is, while any message before {@code upTo} is in flight
     * ({@link #write} runs before {@code sent} counts what it wrote).
     */
    @SuppressWarnings("FutureReturnValueIgnored") // runs on this loop until the connection ends
    private void scheduleExpiry(long upTo) {
        if (expiryScheduled || completed == upTo) {
            return;
        }
        expiryScheduled = true;
        long wait = sendTimes[(int) completed & mask] + timeoutNanos - System.nanoTime();
        context().executor().schedule(this::expire, Math.max(0, wait), TimeUnit.NANOSECONDS);
    }

    /** Counts the messages in flight for longer than the timeout as lost, and sends the next in their place. */
    private void expire() {
        expiryScheduled = false;
        if (!live()) {
            return;
        }
        long now = System.nanoTime();
        LoopState l = loop();
        while (completed < sent) {
            int slot = (int) completed & mask;
            if (echoed[slot]) {
                echoed[slot] = false;
            } else if (now - sendTimes[slot] >= timeoutNanos) {
                l.lost(1);
            } else {
                break;
            }
            completed++;
        }
        fill(now);
        flushIfPending();
        checkDone(now);
        scheduleExpiry(sent);
    }

    @Override
    void unansweredAtEnd(long messages) {
        loop().lost(messages);
    }
}
