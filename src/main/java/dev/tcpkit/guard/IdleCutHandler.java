package dev.tcpkit.guard;

import dev.tcpkit.internal.Durations;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@code --idle-timeout}: cuts a connection on which nothing was read and nothing written for that long, like nginx
 * stream's {@code proxy_timeout} and HAProxy's {@code timeout client}.
 *
 * <p>Output still draining to a slow reader counts as activity ({@code observeOutput}), so echo to a client that reads
 * slowly is never cut; a client that neither sends nor takes anything is.
 */
final class IdleCutHandler extends IdleStateHandler {
    private final String why;

    IdleCutHandler(Duration timeout) {
        super(true, 0, 0, timeout.toNanos(), TimeUnit.NANOSECONDS);
        this.why = "idle for " + Durations.format(timeout) + " (--idle-timeout)";
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        Cuts.cut(ctx.channel(), why);
    }
}
