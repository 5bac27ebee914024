package dev.tcpkit.app.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.net.PortUnreachableException;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bench connection: sends messages from the pattern, checks every echoed byte against it, and times each
 * message from its send (in open loop: from its scheduled send) to the arrival of its last echoed byte.
 *
 * <p>The hot path allocates nothing per message: a send is a recycled slice of the loop's pattern, written without a
 * promise and flushed once per read burst; an echo is compared in place; send times live in a ring of {@code depth}
 * slots. Runs on its channel's event loop only.
 *
 * <p>Over TCP, the messages are one byte stream; {@link DatagramBenchHandler} sends each as a datagram instead.
 */
class BenchHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(BenchHandler.class);

    /** Why a connection died. */
    enum Failure {
        /** Over UDP: an ICMP port unreachable, nothing listens on the server's port. */
        REFUSED,
        RESET,
        MISMATCH,
        SHORT,
        EOF
    }

    private enum State {
        CONNECTING,
        /** Open, waiting for the start. */
        IDLE,
        RUNNING,
        /** Traffic finished, every echo complete; held open until the end. */
        DONE,
        DEAD,
        /** Closed by the run's end. */
        CLOSED
    }

    private final int index;
    private final long connectStart;
    private final Map<EventLoop, LoopState> loops;
    final int size;
    private final int depth;
    /** When each message in flight was sent, in a ring indexed by message number. */
    final long[] sendTimes;

    final int mask;

    private @Nullable LoopState loop;
    private @Nullable ChannelHandlerContext ctx;
    private State state = State.CONNECTING;

    /** Where the next byte sent, and the next byte expected back, are in the pattern. */
    private int sendPosition;

    private int receivePosition;
    /** Messages sent, and messages whose echo is complete (every one before it; over UDP, echoed or lost). */
    long sent;

    long completed;
    /** Bytes of the message being echoed that have arrived. */
    private long partial;
    /** Bytes sent and not yet echoed. */
    private long unechoed;
    /** Messages from this number on are measured; none until the measurement starts. */
    long measuredFrom = Long.MAX_VALUE;
    /** Messages from this number on are not sent (the connection's share of a count). */
    private long quotaEnd = Long.MAX_VALUE;

    private long quota;
    private boolean flushPending;

    /** Open loop: messages due so far, and when message 0 is due and the interval between messages. */
    private boolean openLoop;

    private long due;
    private long firstDue;
    private double period;

    BenchHandler(int index, long connectStart, Map<EventLoop, LoopState> loops, int size, int depth) {
        this.index = index;
        this.connectStart = connectStart;
        this.loops = loops;
        this.size = size;
        this.depth = depth;
        int ring = Integer.highestOneBit(Math.max(1, depth - 1)) << 1;
        this.sendTimes = new long[ring];
        this.mask = ring - 1;
        this.sendPosition = EchoPattern.seed(index);
        this.receivePosition = sendPosition;
    }

    int index() {
        return index;
    }

    /** Past the last message this connection sends. */
    long quotaEnd() {
        return quotaEnd;
    }

    final LoopState loop() {
        LoopState l = loop;
        if (l == null) {
            throw new IllegalStateException("connection " + index + " is not registered");
        }
        return l;
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = loops.get(ctx.channel().eventLoop());
        ctx.fireChannelRegistered();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        state = State.IDLE;
        loop().connected(this, System.nanoTime() - connectStart);
        ctx.fireChannelActive();
    }

    /** Starts traffic; returns whether this connection takes part (it is open). */
    boolean start(Schedule schedule, long now) {
        if (state != State.IDLE) {
            return false;
        }
        state = State.RUNNING;
        quota = schedule.quota(index);
        if (schedule.openLoop()) {
            openLoop = true;
            firstDue = schedule.firstDue(index);
            period = schedule.period();
            long ahead = schedule.measureStart() - firstDue;
            measuredFrom = ahead <= 0 ? 0 : (long) Math.ceil(ahead / period);
            quotaEnd = saturatedAdd(measuredFrom, quota);
        }
        fill(now);
        flushIfPending();
        checkDone(now);
        return true;
    }

    /** When message {@code k} is due in open loop. */
    long intended(long k) {
        return firstDue + (long) (k * period);
    }

    /** Open loop: the pacer says messages up to {@code k} are due. */
    void due(long k, long now) {
        if (state != State.RUNNING || k > quotaEnd) {
            return;
        }
        due = k;
        fill(now);
        flushIfPending();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        int n = in.readableBytes();
        boolean intact;
        try {
            if (state == State.DEAD || state == State.CLOSED) {
                return;
            }
            intact = n <= unechoed && verify(in, n);
        } finally {
            in.release();
        }
        if (!intact) {
            die(Failure.MISMATCH);
            return;
        }
        long now = System.nanoTime();
        echoed(n, now);
        fill(now);
        checkDone(now);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flushIfPending();
        ctx.fireChannelReadComplete();
    }

    private boolean verify(ByteBuf in, int n) {
        EchoPattern pattern = loop().pattern;
        int at = in.readerIndex();
        int left = n;
        while (left > 0) {
            int piece = Math.min(left, EchoPattern.MAX_PIECE);
            if (!pattern.matches(receivePosition, in, at, piece)) {
                return false;
            }
            receivePosition = EchoPattern.advance(receivePosition, piece);
            at += piece;
            left -= piece;
        }
        return true;
    }

    private void echoed(int n, long now) {
        LoopState l = loop();
        unechoed -= n;
        l.bytesEchoed(n);
        partial += n;
        while (partial >= size) {
            partial -= size;
            long k = completed++;
            l.messageEchoed(now - sendTimes[(int) k & mask], k >= measuredFrom, now);
        }
    }

    /** Sends every message the depth, the schedule and the count allow now (written, not yet flushed). */
    final void fill(long now) {
        if (state != State.RUNNING) {
            return;
        }
        LoopState l = loop();
        long limit;
        if (openLoop) {
            limit = Math.min(due, completed + depth);
        } else {
            if (now >= l.measureEnd) {
                return;
            }
            if (measuredFrom == Long.MAX_VALUE && now >= l.measureStart) {
                measuredFrom = sent;
                quotaEnd = saturatedAdd(sent, quota);
            }
            limit = completed + depth;
        }
        long k = Math.min(limit, quotaEnd) - sent;
        if (k <= 0) {
            return;
        }
        for (long m = sent; m < sent + k; m++) {
            sendTimes[(int) m & mask] = openLoop ? intended(m) : now;
        }
        write(sent, k);
        flushPending = true;
        sent += k;
        unechoed += k * size;
        l.sent(k);
    }

    /**
     * Writes messages {@code first} to {@code first + count - 1}: the next bytes of this connection's stream, slice by
     * slice. With the void promise a failed write fires {@link #exceptionCaught}, which counts it: no future to look
     * at, none allocated.
     */
    @SuppressWarnings("FutureReturnValueIgnored")
    void write(long first, long count) {
        ChannelHandlerContext c = context();
        EchoPattern pattern = loop().pattern;
        long left = count * size;
        while (left > 0) {
            int piece = (int) Math.min(left, EchoPattern.MAX_PIECE);
            c.write(pattern.slice(sendPosition, piece), c.voidPromise());
            sendPosition = EchoPattern.advance(sendPosition, piece);
            left -= piece;
        }
    }

    final void flushIfPending() {
        if (flushPending) {
            flushPending = false;
            context().flush();
        }
    }

    final ChannelHandlerContext context() {
        ChannelHandlerContext c = ctx;
        if (c == null) {
            throw new IllegalStateException("connection " + index + " is not registered");
        }
        return c;
    }

    /** Marks the connection done once it sends no more and every echo is complete. */
    final void checkDone(long now) {
        if (state != State.RUNNING || completed != sent) {
            return;
        }
        boolean sendingOver =
                sent >= quotaEnd || (openLoop ? intended(sent) >= loop().measureEnd : now >= loop().measureEnd);
        if (sendingOver) {
            state = State.DONE;
            loop().finished();
        }
    }

    /**
     * The run is over: closes the connection; returns whether it was still open. One still waiting for echoed bytes
     * is counted as short ({@link #unansweredAtEnd}).
     */
    @SuppressWarnings("FutureReturnValueIgnored") // closing at the end; a failure leaves nothing to do
    final boolean closeAtEnd() {
        if (state == State.DEAD || state == State.CLOSED || state == State.CONNECTING) {
            return false;
        }
        if (sent > completed) {
            unansweredAtEnd(sent - completed);
        }
        state = State.CLOSED;
        context().close();
        return true;
    }

    /** At the end of the run, {@code messages} are still waiting for their echo. */
    void unansweredAtEnd(long messages) {
        loop().shortAtEnd(messages);
    }

    /** Whether the run goes on for this connection: it is not dead, nor closed at the end. */
    final boolean live() {
        return state != State.DEAD && state != State.CLOSED;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (state == State.IDLE || state == State.RUNNING || state == State.DONE) {
            die(unechoed > 0 ? Failure.SHORT : Failure.EOF);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (state == State.IDLE || state == State.RUNNING || state == State.DONE) {
            log.debug("connection {} to {}: {}", index, ctx.channel().remoteAddress(), cause.toString());
            die(cause instanceof PortUnreachableException ? Failure.REFUSED : Failure.RESET);
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the connection is given up; a failed close changes nothing
    final void die(Failure failure) {
        boolean wasRunning = state == State.RUNNING;
        state = State.DEAD;
        LoopState l = loop();
        l.died(failure, sent - completed);
        if (wasRunning) {
            l.finished();
        }
        context().close();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
