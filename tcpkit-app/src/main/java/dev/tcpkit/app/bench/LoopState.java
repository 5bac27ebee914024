package dev.tcpkit.app.bench;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * Everything one event loop owns during a run: its connections, its copy of the pattern, its counters and latency
 * histograms. Touched only on that loop's thread, so the hot path takes no lock and shares no cache line; the run's
 * thread reads it through tasks submitted to the loop ({@link #takeInterval()}, {@link #finish()}).
 */
final class LoopState {
    /** Latencies are recorded in nanoseconds up to an hour (longer ones count as an hour). */
    private static final long HIGHEST_NANOS = TimeUnit.HOURS.toNanos(1);

    final EventLoop eventLoop;
    final EchoPattern pattern = new EchoPattern();
    private final List<BenchHandler> connections = new ArrayList<>();
    private final Histogram latency = newHistogram();
    private final Histogram connectLatency = newHistogram();
    /** The last second's latencies, for live progress; {@code null} when nobody looks. */
    private final @Nullable Histogram interval;
    /** The measured latencies since the last interval, for {@code --hdr-log}; {@code null} without it. */
    private final @Nullable Histogram measuredInterval;
    /** Counted down once, when every connection of this loop has finished its traffic or died. */
    private final CountDownLatch allDone;

    /** Copies of the schedule's times, read on every echo. */
    long measureStart = Long.MAX_VALUE;

    long measureEnd = Long.MAX_VALUE;

    private long intervalMessages;
    private long intervalBytes;
    private long intervalErrors;
    private long measuredMessages;
    private long lastCompletion;
    /** Messages sent and not yet echoed, over all connections. */
    private long outstanding;

    private long refused;
    private long reset;
    private long mismatch;
    private long shortEchoes;
    private long eof;
    /** Datagrams not echoed within the timeout (UDP). */
    private long lost;
    /** Connections started and not yet done; {@code -1} before the start. */
    private int running = -1;

    private boolean closed;

    LoopState(EventLoop eventLoop, boolean progress, boolean logged, CountDownLatch allDone) {
        this.eventLoop = eventLoop;
        this.interval = progress ? newHistogram() : null;
        this.measuredInterval = logged ? newHistogram() : null;
        this.allDone = allDone;
    }

    static Histogram newHistogram() {
        return new Histogram(1, HIGHEST_NANOS, 3);
    }

    private static void record(Histogram histogram, long nanos) {
        histogram.recordValue(Math.max(1, Math.min(nanos, HIGHEST_NANOS)));
    }

    /** A connection is open: it takes part in the run from the start on. */
    void connected(BenchHandler connection, long connectNanos) {
        connections.add(connection);
        record(connectLatency, connectNanos);
    }

    /** Starts traffic on every connection of this loop. */
    @SuppressWarnings("FutureReturnValueIgnored") // the tasks end with the run; nothing waits for them
    void start(Schedule schedule) {
        measureStart = schedule.measureStart();
        measureEnd = schedule.measureEnd();
        running = 0;
        connections.sort(Comparator.comparingInt(BenchHandler::index));
        long now = System.nanoTime();
        for (BenchHandler connection : connections) {
            if (connection.start(schedule, now)) {
                running++;
            }
        }
        if (running == 0) {
            allDone.countDown();
            return;
        }
        if (measureEnd != Long.MAX_VALUE) {
            // Connections with nothing in flight at the end get no echo that would tell them so.
            eventLoop.schedule(this::checkAllDone, Math.max(0, measureEnd - now), TimeUnit.NANOSECONDS);
        }
        if (schedule.openLoop()) {
            new RatePacer(this, connections.toArray(BenchHandler[]::new)).run();
        }
    }

    private void checkAllDone() {
        long now = System.nanoTime();
        for (BenchHandler connection : connections) {
            connection.checkDone(now);
        }
    }

    /** A started connection has finished its traffic, or died. */
    void finished() {
        if (--running == 0) {
            allDone.countDown();
        }
    }

    void sent(long messages) {
        outstanding += messages;
    }

    void bytesEchoed(int bytes) {
        intervalBytes += bytes;
    }

    void messageEchoed(long latencyNanos, boolean measured, long now) {
        outstanding--;
        intervalMessages++;
        if (interval != null) {
            record(interval, latencyNanos);
        }
        if (measured) {
            measuredMessages++;
            lastCompletion = now;
            record(latency, latencyNanos);
            if (measuredInterval != null) {
                record(measuredInterval, latencyNanos);
            }
        }
    }

    /** A connection died with {@code unechoed} messages in flight, for the reason {@code kind}. */
    void died(BenchHandler.Failure kind, long unechoed) {
        outstanding -= unechoed;
        intervalErrors++;
        switch (kind) {
            case REFUSED -> refused++;
            case RESET -> reset++;
            case MISMATCH -> mismatch++;
            case SHORT -> shortEchoes++;
            case EOF -> eof++;
        }
    }

    /** {@code messages} datagrams were not echoed in time; the run goes on without them. */
    void lost(long messages) {
        outstanding -= messages;
        lost += messages;
    }

    /** What happened since the last call: for live progress, and to notice a server that stopped answering. */
    Interval takeInterval() {
        Histogram snapshot = null;
        if (interval != null) {
            snapshot = interval.copy();
            interval.reset();
        }
        Interval result = new Interval(
                intervalMessages,
                intervalBytes,
                intervalErrors,
                outstanding,
                connections.size(),
                snapshot,
                takeMeasured());
        intervalMessages = 0;
        intervalBytes = 0;
        intervalErrors = 0;
        return result;
    }

    /** The measured latencies since the last call, or {@code null} without {@code --hdr-log}. */
    private @Nullable Histogram takeMeasured() {
        if (measuredInterval == null) {
            return null;
        }
        Histogram snapshot = measuredInterval.copy();
        measuredInterval.reset();
        return snapshot;
    }

    /** Ends the run on this loop: closes every connection (one still waiting for bytes counts as short). */
    LoopSummary finish() {
        int alive = 0;
        for (BenchHandler connection : connections) {
            if (connection.closeAtEnd()) {
                alive++;
            }
        }
        close();
        return new LoopSummary(
                latency,
                connectLatency,
                measuredMessages,
                lastCompletion,
                connections.size(),
                alive,
                new ErrorCounts(refused, reset, mismatch, shortEchoes, eof),
                lost,
                takeMeasured());
    }

    /** Releases the pattern, once; connections still writing slices of it keep it until they are closed. */
    void close() {
        if (!closed) {
            closed = true;
            pattern.release();
        }
    }

    /** A connection still waiting for bytes at the end: counted as short by {@link #finish()}. */
    void shortAtEnd(long unechoed) {
        outstanding -= unechoed;
        shortEchoes++;
    }

    /**
     * One second of one loop.
     *
     * @param outstanding messages in flight right now
     * @param latency the second's latencies, or {@code null} without live progress
     * @param measured the second's measured latencies, or {@code null} without {@code --hdr-log}
     */
    record Interval(
            long messages,
            long bytes,
            long errors,
            long outstanding,
            int established,
            @Nullable Histogram latency,
            @Nullable Histogram measured) {}

    /**
     * One loop's share of the result.
     *
     * @param lastCompletion when the last measured echo completed ({@code 0} if none)
     * @param lost datagrams not echoed within the timeout (UDP)
     * @param measuredRest measured latencies since the last interval, or {@code null} without {@code --hdr-log}
     */
    record LoopSummary(
            Histogram latency,
            Histogram connectLatency,
            long messages,
            long lastCompletion,
            int established,
            int alive,
            ErrorCounts errors,
            long lost,
            @Nullable Histogram measuredRest) {}
}
