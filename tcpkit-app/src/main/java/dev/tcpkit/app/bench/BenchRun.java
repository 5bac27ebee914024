package dev.tcpkit.app.bench;

import dev.tcpkit.app.client.ProxyTunnel;
import dev.tcpkit.app.client.ProxyUrl;
import dev.tcpkit.internal.Errors;
import dev.tcpkit.transport.Bootstraps;
import dev.tcpkit.transport.IoSupport;
import dev.tcpkit.transport.ReadSizes;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * Runs one bench: connect, (connect mode: hold), warm up, measure, drain, report.
 *
 * <p>Phases, each bounded in time: connections are opened with at most {@value #CONNECTS_IN_FLIGHT} handshakes
 * pending (and, in connect mode with a rate, that many per second); traffic starts on all of them at once; messages
 * sent during the warmup are not measured; after the duration (or once the count is done) no new message is sent and
 * the outstanding echoes are awaited for at most the timeout; then every connection is closed. A run in which no echo
 * arrives for the timeout while messages are outstanding ends there ("stalled").
 *
 * <p>Threads: the caller's thread connects, paces the phases and collects the per-second figures; everything else
 * runs on the event loops, each owning its connections' state ({@link LoopState}).
 */
public final class BenchRun {
    static final int CONNECTS_IN_FLIGHT = 256;
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final BenchConfig config;
    private final Consumer<Progress> progress;
    private final IoSupport io;
    private final EventLoopGroup group;
    private final Map<EventLoop, LoopState> loops = new HashMap<>();
    private final CountDownLatch allDone;
    private final Bootstrap bootstrap;
    private final Semaphore handshakes = new Semaphore(CONNECTS_IN_FLIGHT);
    private final AtomicInteger established = new AtomicInteger();
    private final AtomicLong connectErrors = new AtomicLong();
    private final AtomicLong lastConnected = new AtomicLong();
    private final AtomicReference<@Nullable Throwable> connectFailure = new AtomicReference<>();
    /** The proxy every connection goes through, its address looked up; {@code null} to connect directly. */
    private final @Nullable ProxyUrl proxy;
    /** Where the measured latencies go each second ({@code --hdr-log}); {@code null} for nowhere. */
    private final @Nullable LatencyLog log;
    /** The measured latencies collected since the last interval written to {@link #log}. */
    private final Histogram unlogged = LoopState.newHistogram();
    /** Wall-clock time at {@link #nanoOrigin}: the log's times are wall clock, so that several machines' line up. */
    private final long millisOrigin = System.currentTimeMillis();

    private final long nanoOrigin = System.nanoTime();
    /** The end of the last interval written to {@link #log}. */
    private long loggedUntil;

    private BenchRun(
            BenchConfig config, @Nullable ProxyUrl proxy, Consumer<Progress> progress, @Nullable LatencyLog log)
            throws InterruptedException {
        this.config = config;
        this.proxy = proxy;
        this.progress = progress;
        this.log = log;
        this.io = IoSupport.resolve(config.transport());
        this.group = io.newGroup(config.threads(), new DefaultThreadFactory("tcpkit-bench", true));
        List<EventExecutor> executors = new ArrayList<>();
        group.forEach(executors::add);
        this.allDone = new CountDownLatch(executors.size());
        for (EventExecutor executor : executors) {
            EventLoop loop = (EventLoop) executor;
            // Made on its own thread: the pattern comes from that thread's pool cache.
            loops.put(loop, await(loop.submit(() -> new LoopState(loop, config.progress(), log != null, allDone))));
        }
        // Over UDP, reads take a byte more than a message: a longer datagram is seen, not cut to a matching one.
        this.bootstrap = config.udp()
                ? Bootstraps.datagramClient(io, group, config.size() + 1)
                : Bootstraps.client(io, group, config.timeout())
                        .option(ChannelOption.RECVBUF_ALLOCATOR, ReadSizes.ADAPTIVE);
        if (proxy != null) {
            ProxyTunnel.passingNamesOn(bootstrap);
        }
    }

    /**
     * Runs the bench described by {@code config}, reporting each second to {@code progress} (on the caller's thread).
     *
     * @throws BenchFailedException if the host is unknown or not a single connection could be opened
     * @throws dev.tcpkit.options.TransportUnavailableException if the transport named cannot load
     */
    public static BenchResult run(BenchConfig config, Consumer<Progress> progress)
            throws BenchFailedException, InterruptedException {
        return run(config, progress, null);
    }

    /** {@link #run(BenchConfig, Consumer)}, writing the measured latencies to {@code log} each second as well. */
    public static BenchResult run(BenchConfig config, Consumer<Progress> progress, @Nullable LatencyLog log)
            throws BenchFailedException, InterruptedException {
        BenchRun run = new BenchRun(config, resolvedProxy(config), progress, log);
        try {
            return run.run();
        } finally {
            for (LoopState loop : run.loops.values()) {
                loop.eventLoop.execute(loop::close);
            }
            run.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    private static @Nullable ProxyUrl resolvedProxy(BenchConfig config) throws BenchFailedException {
        ProxyUrl proxy = config.proxy();
        try {
            return proxy == null ? null : proxy.resolved();
        } catch (UnknownHostException e) {
            throw new BenchFailedException(ProxyTunnel.failure(proxy, config.displayAddress(), e, config.timeout()), e);
        }
    }

    private BenchResult run() throws BenchFailedException, InterruptedException {
        long connectStart = System.nanoTime();
        InetSocketAddress target = connectFirst();
        connectRest(target, connectStart);
        double connectMillis = (lastConnected.get() - connectStart) / 1e6;
        if (log != null) {
            log.start(wallMillis(connectStart), "tcpkit bench " + config.displayAddress());
        }

        long start = System.nanoTime();
        Schedule schedule;
        if (config.mode() == BenchMode.CONNECT) {
            hold(connectStart, start + config.duration().toNanos());
            start = System.nanoTime();
            schedule = new Schedule(start, start, Long.MAX_VALUE, config.connections(), config.connections(), 0);
        } else {
            long measureStart = start + config.warmup().toNanos();
            long measureEnd = config.duration().isZero()
                    ? Long.MAX_VALUE
                    : measureStart + config.duration().toNanos();
            schedule =
                    new Schedule(start, measureStart, measureEnd, config.count(), config.connections(), config.rate());
        }
        loggedUntil = schedule.start();
        for (LoopState loop : loops.values()) {
            loop.eventLoop.execute(() -> loop.start(schedule));
        }
        boolean stalled = awaitEnd(schedule);
        long end = System.nanoTime();
        return result(schedule, end, connectMillis, stalled);
    }

    /**
     * Opens the first connection, trying each address of the host (through a proxy: what to ask it for); the one
     * that answers is used for all.
     */
    private InetSocketAddress connectFirst() throws BenchFailedException, InterruptedException {
        List<InetSocketAddress> targets;
        try {
            targets = ProxyUrl.targets(proxy, config.host(), config.port());
        } catch (UnknownHostException e) {
            throw cannotConnect(e);
        }
        Throwable failure = new UnknownHostException(config.host());
        for (InetSocketAddress target : targets) {
            Future<?> connected = connect(0, target);
            connected.await();
            if (connected.isSuccess()) {
                return target;
            }
            failure = connected.cause();
        }
        throw cannotConnect(failure);
    }

    private BenchFailedException cannotConnect(Throwable cause) {
        // The proxy's own name was looked up before (resolvedProxy): an unknown host here is the server's.
        if (proxy != null && !(cause instanceof UnknownHostException)) {
            return new BenchFailedException(
                    ProxyTunnel.failure(proxy, config.displayAddress(), cause, config.timeout()), cause);
        }
        String reason = Errors.connectReason(cause, config.timeout());
        return new BenchFailedException("cannot connect to " + config.displayAddress() + ": " + reason, cause);
    }

    private void connectRest(InetSocketAddress target, long connectStart) throws InterruptedException {
        long nextProgress = connectStart + SECOND;
        for (int i = 1; i < config.connections(); i++) {
            if (config.mode() == BenchMode.CONNECT && config.rate() > 0) {
                parkUntil(connectStart + Math.round(i * 1e9 / config.rate()));
            }
            // Every connect ends within the connect timeout, so a permit always comes back.
            handshakes.acquire();
            connect(i, target).addListener(connected -> {
                if (!connected.isSuccess()) {
                    connectErrors.incrementAndGet();
                    connectFailure.compareAndSet(null, connected.cause());
                }
                handshakes.release();
            });
            long now = System.nanoTime();
            if (now >= nextProgress) {
                progress.accept(connectProgress(connectStart, now));
                nextProgress += SECOND;
            }
        }
        handshakes.acquire(CONNECTS_IN_FLIGHT);
        handshakes.release(CONNECTS_IN_FLIGHT);
    }

    /**
     * Connection {@code index}: the bootstrap is only used from this thread, and {@code connect} takes the handler
     * from it before returning. Through a proxy, it is open once the proxy has connected it to the server.
     */
    private Future<?> connect(int index, InetSocketAddress target) {
        long start = System.nanoTime();
        BenchHandler handler = config.udp()
                ? new DatagramBenchHandler(
                        index, start, loops, config.size(), config.effectiveDepth(), config.timeout())
                : new BenchHandler(index, start, loops, config.size(), config.effectiveDepth());
        ProxyUrl via = proxy;
        if (via == null) {
            bootstrap.handler(handler);
        } else {
            bootstrap.handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel ch) {
                    ProxyTunnel.addTo(ch, via, config.timeout());
                    ch.pipeline().addLast(handler);
                }
            });
        }
        ChannelFuture tcp = bootstrap.connect(target);
        Future<?> connected = via == null ? tcp : ProxyTunnel.open(tcp);
        connected.addListener(done -> {
            if (done.isSuccess()) {
                established.incrementAndGet();
                lastConnected.accumulateAndGet(System.nanoTime(), Math::max);
            }
        });
        return connected;
    }

    private Progress connectProgress(long since, long now) {
        return new Progress((now - since) / 1e9, "connect", established.get(), 0, 0, -1, -1, connectErrors.get());
    }

    /** Connect mode: keeps the connections open until {@code until}, reporting each second. */
    private void hold(long connectStart, long until) throws InterruptedException {
        long next = System.nanoTime() + SECOND;
        while (true) {
            long now = System.nanoTime();
            if (now >= until) {
                return;
            }
            parkUntil(Math.min(next, until));
            if (System.nanoTime() >= next) {
                long errors = connectErrors.get();
                int open = 0;
                for (LoopState.Interval interval : intervals()) {
                    errors += interval.errors();
                    open += interval.established();
                }
                progress.accept(new Progress((next - connectStart) / 1e9, "hold", open, 0, 0, -1, -1, errors));
                next += SECOND;
            }
        }
    }

    /**
     * Waits until every connection has finished, reporting each second; returns whether the run stalled (no echo for
     * the timeout while messages were outstanding; over UDP for twice the timeout, since a lost datagram alone keeps
     * a connection waiting for the timeout). Bounded: by the end of the measurement plus the timeout, or with no end,
     * by the stall.
     */
    private boolean awaitEnd(Schedule schedule) throws InterruptedException {
        long timeout = config.timeout().toNanos();
        long stall = config.udp() ? 2 * timeout : timeout;
        long deadline = schedule.measureEnd() == Long.MAX_VALUE ? Long.MAX_VALUE : schedule.measureEnd() + timeout;
        long next = schedule.start() + SECOND;
        long lastEcho = schedule.start();
        long errors = connectErrors.get();
        while (true) {
            long wait = Math.min(next, deadline) - System.nanoTime();
            if (allDone.await(Math.max(0, wait), TimeUnit.NANOSECONDS)) {
                return false;
            }
            long now = System.nanoTime();
            if (now >= deadline) {
                return false;
            }
            if (now < next) {
                continue;
            }
            long messages = 0;
            long bytes = 0;
            long outstanding = 0;
            int open = 0;
            Histogram latency = LoopState.newHistogram();
            for (LoopState.Interval interval : intervals()) {
                messages += interval.messages();
                bytes += interval.bytes();
                errors += interval.errors();
                outstanding += interval.outstanding();
                open += interval.established();
                if (interval.latency() != null) {
                    latency.add(interval.latency());
                }
            }
            if (messages > 0 || outstanding == 0) {
                lastEcho = now;
            } else if (now - lastEcho >= stall) {
                return true;
            }
            logInterval(next - SECOND, next);
            boolean counted = latency.getTotalCount() > 0;
            progress.accept(new Progress(
                    (next - schedule.start()) / 1e9,
                    phase(schedule, next - SECOND),
                    open,
                    messages,
                    bytes,
                    counted ? latency.getValueAtPercentile(50) : -1,
                    counted ? latency.getValueAtPercentile(99) : -1,
                    errors));
            next += SECOND;
        }
    }

    /** The phase at {@code when}: the start of the second a progress line reports. */
    private static String phase(Schedule schedule, long when) {
        return when < schedule.measureStart() ? "warmup" : when < schedule.measureEnd() ? "measure" : "drain";
    }

    private List<LoopState.Interval> intervals() throws InterruptedException {
        List<LoopState.Interval> intervals = new ArrayList<>();
        for (LoopState loop : loops.values()) {
            LoopState.Interval interval = await(loop.eventLoop.submit(loop::takeInterval));
            if (interval.measured() != null) {
                unlogged.add(interval.measured());
            }
            intervals.add(interval);
        }
        return intervals;
    }

    private BenchResult result(Schedule schedule, long end, double connectMillis, boolean stalled)
            throws InterruptedException {
        Histogram latency = LoopState.newHistogram();
        Histogram connectLatency = LoopState.newHistogram();
        long messages = 0;
        long lastCompletion = 0;
        int alive = 0;
        long lost = 0;
        ErrorCounts errors = new ErrorCounts(connectErrors.get(), 0, 0, 0, 0);
        for (LoopState loop : loops.values()) {
            LoopState.LoopSummary summary = await(loop.eventLoop.submit(loop::finish));
            latency.add(summary.latency());
            connectLatency.add(summary.connectLatency());
            messages += summary.messages();
            lastCompletion = Math.max(lastCompletion, summary.lastCompletion());
            alive += summary.alive();
            errors = errors.plus(summary.errors());
            lost += summary.lost();
            if (summary.measuredRest() != null) {
                unlogged.add(summary.measuredRest());
            }
        }
        if (log != null) {
            logInterval(loggedUntil, end);
            if (config.mode() == BenchMode.CONNECT) {
                log.interval(wallMillis(schedule.start()), wallMillis(end), connectLatency, LatencyLog.CONNECT_TAG);
            }
        }
        long windowEnd = schedule.measureEnd() != Long.MAX_VALUE && end >= schedule.measureEnd()
                ? schedule.measureEnd()
                : schedule.count() > 0 ? Math.max(lastCompletion, schedule.measureStart()) : end;
        double measured = Math.max(0, windowEnd - schedule.measureStart()) / 1e9;
        return new BenchResult(
                config,
                io.transport(),
                loops.size(),
                established.get(),
                alive,
                Math.max(0, connectMillis),
                measured,
                messages,
                latency,
                connectLatency,
                errors,
                stalled,
                lost);
    }

    /** Writes the measured latencies collected since the last interval as the interval {@code [from, to)}. */
    private void logInterval(long from, long to) {
        if (log != null) {
            log.interval(wallMillis(from), wallMillis(to), unlogged, null);
            unlogged.reset();
            loggedUntil = to;
        }
    }

    /** The wall-clock time, in milliseconds since the epoch, of the {@link System#nanoTime()} value {@code nanos}. */
    private long wallMillis(long nanos) {
        return millisOrigin + Math.floorDiv(nanos - nanoOrigin, 1_000_000L);
    }

    private static void parkUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** The result of a task on an event loop; a task that throws is a bug. */
    private static <T> T await(io.netty.util.concurrent.Future<T> future) throws InterruptedException {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("bench event loop task failed", e);
        }
    }
}
