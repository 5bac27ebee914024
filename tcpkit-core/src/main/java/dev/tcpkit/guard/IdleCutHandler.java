package dev.tcpkit.guard;

import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.Cuts;
import dev.tcpkit.internal.Durations;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * {@code --idle-timeout}: cuts a connection on which nothing was read and nothing written for that long, like nginx
 * stream's {@code proxy_timeout} and HAProxy's {@code timeout client}.
 *
 * <p>Output still draining to a slow reader counts as activity, so echo to a client that reads slowly is never cut; a
 * client that neither sends nor takes anything is.
 *
 * <p>Netty's {@code IdleStateHandler} does the same, but to see writes complete it puts a promise and a listener on
 * every write, undoing echo's void-promise writes. This handler notes the time once per read burst and once per flush
 * instead, and looks at the outbound buffer only when the timer fires.
 */
final class IdleCutHandler extends ChannelDuplexHandler {
    private final long timeoutNanos;
    private final String why;
    private Ticker ticker = Ticker.systemTicker();
    private long lastActivity;
    private boolean reading;
    /** The outbound buffer as the timer last saw it: while it drains, the connection is not idle. */
    private long lastPending;

    private long lastProgress;
    private @Nullable ScheduledFuture<?> timer;

    IdleCutHandler(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be > 0: " + timeout);
        }
        this.timeoutNanos = timeout.toNanos();
        this.why = "idle for " + Durations.format(timeout) + " (--idle-timeout)";
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start(ctx);
        super.channelActive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (reading) {
            reading = false;
            lastActivity = ticker.nanoTime();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        lastActivity = ticker.nanoTime();
        ctx.flush();
        outputMoved(ctx); // what the socket did not take is the baseline: only its draining is activity
    }

    private void start(ChannelHandlerContext ctx) {
        if (timer != null) {
            return;
        }
        ticker = ctx.executor().ticker();
        lastActivity = ticker.nanoTime();
        schedule(ctx, timeoutNanos);
    }

    private void stop() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
        timer = null;
    }

    private void schedule(ChannelHandlerContext ctx, long delayNanos) {
        timer = ctx.executor().schedule(() -> check(ctx), delayNanos, TimeUnit.NANOSECONDS);
    }

    private void check(ChannelHandlerContext ctx) {
        if (!ctx.channel().isOpen()) {
            return;
        }
        long now = ticker.nanoTime();
        if (reading || outputMoved(ctx)) {
            lastActivity = now;
        }
        long left = lastActivity + timeoutNanos - now;
        if (left > 0) {
            schedule(ctx, left);
        } else {
            timer = null;
            Cuts.cut(ctx.channel(), CloseReason.IDLE_TIMEOUT, why);
        }
    }

    /** Whether the outbound buffer holds bytes and took some away since the timer last looked. */
    private boolean outputMoved(ChannelHandlerContext ctx) {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        if (out == null) {
            return false;
        }
        long pending = out.totalPendingWriteBytes();
        long progress = out.currentProgress();
        boolean moved = pending > 0 && (pending != lastPending || progress != lastProgress);
        lastPending = pending;
        lastProgress = progress;
        return moved;
    }
}
