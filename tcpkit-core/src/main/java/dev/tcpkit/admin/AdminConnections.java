package dev.tcpkit.admin;

import dev.tcpkit.internal.Durations;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps slow clients from holding the admin endpoint (issue 11): a bound on its connections in number and in time.
 *
 * <ul>
 *   <li><b>A whole-request deadline.</b> From its connect, and again from each answer, a connection has {@code
 *       deadline} to send a whole request and take the answer; then it is closed. Reading no byte for a while is not
 *       what counts: a client dribbling a byte every few seconds is cut as surely as a silent one.
 *   <li><b>A bound on connections.</b> At most {@code max} are open. One more makes room by closing the connection
 *       that has waited longest for a whole request, as nginx-style servers shed idle keep-alive connections; one being
 *       answered is never dropped. So however many slow clients hold connections, a new request that arrives whole is
 *       answered: the page stays reachable.
 * </ul>
 *
 * <p>One per endpoint. Every method runs on the endpoint's one event loop ({@link dev.tcpkit.transport.SideServer}), so
 * its state needs no lock.
 */
final class AdminConnections {
    private static final Logger log = LoggerFactory.getLogger(AdminConnections.class);

    private final int max;
    private final Duration deadline;
    private final Set<Tracked> open = new HashSet<>();
    /** Connections waiting for a whole request, the one waiting longest first. */
    private final Set<Tracked> waiting = new LinkedHashSet<>();

    AdminConnections(int max, Duration deadline) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1: " + max);
        }
        this.max = max;
        this.deadline = deadline;
    }

    /** The handler for one connection, after the request aggregator and before the handler that answers. */
    ChannelDuplexHandler newHandler() {
        return new Tracked();
    }

    /** Closes every connection (the endpoint is stopping). */
    void closeAll() {
        for (Tracked t : Set.copyOf(open)) {
            t.close();
        }
    }

    private boolean admit(Tracked t) {
        if (open.size() >= max) {
            Iterator<Tracked> oldest = waiting.iterator();
            if (!oldest.hasNext()) {
                return false; // every connection is being answered
            }
            Tracked victim = oldest.next();
            log.debug(
                    "admin connection {}: closed to make room ({} open), no whole request yet",
                    victim.remote(),
                    open.size());
            victim.close();
        }
        open.add(t);
        return true;
    }

    private final class Tracked extends ChannelDuplexHandler {
        private @Nullable ChannelHandlerContext ctx;
        private @Nullable ScheduledFuture<?> timer;
        /** Requests received whose answer has not been written yet (HTTP/1.1 pipelining). */
        private int inFlight;

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            this.ctx = ctx;
        }

        @Override
        @SuppressWarnings("FutureReturnValueIgnored") // closing is all there is to do
        public void channelActive(ChannelHandlerContext ctx) {
            if (!admit(this)) {
                log.debug("admin connection {}: closed, {} open and all being answered", remote(), open.size());
                ctx.close();
                return;
            }
            startWaiting();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof FullHttpRequest) {
                inFlight++;
                waiting.remove(this); // being answered: not one to drop; the deadline still runs until the answer
            }
            ctx.fireChannelRead(msg);
        }

        @Override
        @SuppressWarnings("FutureReturnValueIgnored") // the outcome is the promise's, which the writer holds
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof LastHttpContent) {
                promise = promise.unvoid();
                promise.addListener(f -> {
                    if (f.isSuccess() && open.contains(this)) {
                        inFlight = Math.max(0, inFlight - 1);
                        if (inFlight == 0) {
                            startWaiting();
                        } else {
                            restartDeadline();
                        }
                    }
                });
            }
            ctx.write(msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            forget();
            ctx.fireChannelInactive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            forget();
        }

        /** From now on (connect, or its last answer) the connection has the deadline to send a whole request. */
        private void startWaiting() {
            waiting.remove(this);
            waiting.add(this);
            restartDeadline();
        }

        private void restartDeadline() {
            cancelTimer();
            ChannelHandlerContext c = ctx;
            if (c != null) {
                timer = c.executor().schedule(this::expire, deadline.toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        @SuppressWarnings("FutureReturnValueIgnored") // closing is all there is to do
        private void expire() {
            log.debug(
                    "admin connection {}: closed, no whole request and answer within {}",
                    remote(),
                    Durations.format(deadline));
            close();
        }

        @SuppressWarnings("FutureReturnValueIgnored") // closing is all there is to do
        private void close() {
            forget();
            ChannelHandlerContext c = ctx;
            if (c != null) {
                c.close();
            }
        }

        private void forget() {
            cancelTimer();
            open.remove(this);
            waiting.remove(this);
        }

        private void cancelTimer() {
            ScheduledFuture<?> t = timer;
            if (t != null) {
                t.cancel(false);
                timer = null;
            }
        }

        private @Nullable Object remote() {
            ChannelHandlerContext c = ctx;
            return c == null ? null : c.channel().remoteAddress();
        }
    }
}
