package dev.tcpkit.service.forward;

import dev.tcpkit.connection.ClientAddress;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.Connection;
import dev.tcpkit.internal.Errors;
import dev.tcpkit.internal.RateLimitedLog;
import dev.tcpkit.transport.IoSupport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client joined to one upstream. Both channels run on the client's event loop, so this state needs no lock.
 *
 * <p>Each side's reads are written to the other side as they are (the same buffer, no copy) and flushed once per read
 * burst. Backpressure: when one side's outbound buffer passes its high water mark, reading from the other side stops
 * until it drains below the low mark. The end of one side's input (a half-close) becomes, once what was read before
 * it has been flushed, a shut-down of the other side's output; when both directions have ended, both close. An error
 * or a reset on one side resets the other ({@code SO_LINGER} 0, then close).
 *
 * <p>The client's close reason says which side ended first: {@code upstream-closed} when the upstream closed, shut its
 * output or failed first, else what the client did ({@code client-closed}, {@code peer-reset}) or a limit.
 */
final class Relay {
    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final Channel client;
    private final Upstreams upstreams;
    private final Duration connectTimeout;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final RateLimitedLog noUpstreamLog;
    private final UpstreamPipeline upstreamPipeline;
    private final Side clientSide = new Side(true);
    private final Side upstreamSide = new Side(false);
    /** What the client sent before the upstream was connected (bytes handed on after a PROXY header, TLS). */
    private final ArrayDeque<Object> early = new ArrayDeque<>();

    private @Nullable Channel upstream;
    private @Nullable Upstream target;
    /** The upstream's counts, once connected; until then the client's reads wait in {@link #early}. */
    private @Nullable UpstreamMeters meters;

    private int directionsEnded;
    /** The side whose input ended, or which failed or closed, first. */
    private @Nullable Side endedFirst;

    Relay(
            Channel client,
            Upstreams upstreams,
            Duration connectTimeout,
            AddressResolverGroup<InetSocketAddress> resolver,
            RateLimitedLog noUpstreamLog,
            UpstreamPipeline upstreamPipeline) {
        this.client = client;
        this.upstreams = upstreams;
        this.connectTimeout = connectTimeout;
        this.resolver = resolver;
        this.noUpstreamLog = noUpstreamLog;
        this.upstreamPipeline = upstreamPipeline;
    }

    /** Installs the client's side and dials the first upstream; the client is not read until one is connected. */
    void start(String name) {
        client.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        client.config().setAutoRead(false);
        client.pipeline().addLast(name, clientSide);
        dial(upstreams.order(), 0, new ArrayList<>());
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the listener handles the outcome
    private void dial(List<Upstream> order, int index, List<String> failures) {
        if (!client.isActive()) {
            return;
        }
        if (index == order.size()) {
            allFailed(failures);
            return;
        }
        Upstream next = order.get(index);
        ChannelFuture connect = next.bootstrap(IoSupport.of(client), client.eventLoop(), connectTimeout)
                .resolver(resolver) // a Unix socket's address is not one it resolves: it passes as it is
                .handler(upstreamSide)
                .connect();
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                failed(next, Errors.connectReason(f.cause(), connectTimeout), order, index, failures);
                return;
            }
            upstreamPipeline.prepare(client, f.channel(), next).addListener((Future<Channel> ready) -> {
                if (ready.isSuccess()) {
                    upstreams.connected(next);
                    connected(next, f.channel());
                } else {
                    f.channel().close();
                    failed(next, UpstreamPipeline.failure(ready.cause()), order, index, failures);
                }
            });
        });
    }

    /** {@code next} could not be connected (or its TLS handshake failed): it is marked down and the next is tried. */
    private void failed(Upstream next, String reason, List<Upstream> order, int index, List<String> failures) {
        upstreams.failed(next);
        next.meters().failed(reason);
        failures.add(next + " (" + reason + ")");
        dial(order, index + 1, failures);
    }

    @SuppressWarnings("FutureReturnValueIgnored")
    private void allFailed(List<String> failures) {
        String detail = "no upstream: " + String.join(", ", failures);
        noUpstreamLog.log(ClientAddress.format(client), detail, "no upstream");
        Connection connection = Connection.of(client);
        if (connection != null) {
            connection.closeReason(CloseReason.UPSTREAM_FAILED, detail);
        }
        releaseEarly();
        client.close();
    }

    @SuppressWarnings("FutureReturnValueIgnored")
    private void connected(Upstream to, Channel channel) {
        if (!client.isActive()) {
            channel.close();
            return;
        }
        upstream = channel;
        target = to;
        UpstreamMeters m = to.meters();
        meters = m;
        m.connects.increment();
        Connection connection = Connection.of(client);
        if (connection != null) {
            connection.upstream(to.toString());
        }
        boolean clientEnded = false;
        Object msg;
        while ((msg = early.poll()) != null) {
            if (msg instanceof ChannelInputShutdownEvent) {
                clientEnded = true;
            } else {
                count(msg, m.sent);
                channel.write(msg, channel.voidPromise());
            }
        }
        channel.flush();
        if (clientEnded) {
            inputEnded(true);
        } else {
            client.config().setAutoRead(true);
        }
    }

    private static void count(Object msg, LongAdder bytes) {
        if (msg instanceof ByteBuf buf) {
            bytes.add(buf.readableBytes());
        }
    }

    private void releaseEarly() {
        Object msg;
        while ((msg = early.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    /** One side's input ended: once what it sent is flushed to the other side, the other side's output shuts. */
    @SuppressWarnings("FutureReturnValueIgnored")
    private void inputEnded(boolean fromClient) {
        Channel to = fromClient ? upstream : client;
        if (to == null) {
            return;
        }
        to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFuture flushed) -> {
            if (!flushed.isSuccess()) {
                return; // the failure reached the other side's exceptionCaught
            }
            HalfClose.shutdownOutput(to).addListener((ChannelFuture shut) -> directionEnded());
        });
    }

    @SuppressWarnings("FutureReturnValueIgnored")
    private void directionEnded() {
        if (++directionsEnded < 2) {
            return;
        }
        if (endedFirst == upstreamSide) {
            giveClientReason(CloseReason.UPSTREAM_CLOSED, "closed by upstream " + target);
        } else {
            giveClientReason(CloseReason.CLIENT_CLOSED, "closed by client");
        }
        client.close();
        Channel u = upstream;
        if (u != null) {
            u.close();
        }
    }

    private void ended(Side side) {
        if (endedFirst == null) {
            endedFirst = side;
        }
    }

    private void giveClientReason(CloseReason reason, String detail) {
        Connection connection = Connection.of(client);
        if (connection != null) {
            connection.closeReason(reason, detail);
        }
    }

    /** Resets {@code channel}: the peer sees a reset, not an orderly close, as the other side did. */
    @SuppressWarnings("FutureReturnValueIgnored")
    private static void reset(Channel channel) {
        if (channel.isOpen()) {
            try {
                // A Unix domain socket has no SO_LINGER (the option is refused): its close is the reset, the peer
                // seeing "connection reset" if data was left unread, else an end of input.
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException e) {
                // the socket is already gone: close is all there is
            }
            channel.close();
        }
    }

    /** One end of the relay: the client's channel or the upstream's. */
    private final class Side extends ChannelInboundHandlerAdapter {
        private final boolean isClient;
        private boolean inputEnded;
        private boolean failed;

        Side(boolean isClient) {
            this.isClient = isClient;
        }

        private @Nullable Channel other() {
            return isClient ? upstream : client;
        }

        private @Nullable Side otherSide() {
            return isClient ? upstreamSide : clientSide;
        }

        @Override
        public boolean isSharable() {
            return true; // one relay, one channel per side: the upstream's bootstrap adds it once
        }

        @Override
        @SuppressWarnings("FutureReturnValueIgnored") // the void promise reports failures through the pipeline
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel to = other();
            UpstreamMeters m = meters;
            if (to == null || m == null) {
                early.add(msg); // the client, before the upstream is connected
                return;
            }
            count(msg, isClient ? m.sent : m.received);
            to.write(msg, to.voidPromise());
            if (!to.isWritable()) {
                // The rule again, not only when the other side crosses its water mark: another stage (a --hex-dump
                // catching up) may have turned reading back on meanwhile.
                ctx.channel().config().setAutoRead(false);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            Channel to = other();
            if (to != null) {
                to.flush();
            }
            ctx.fireChannelReadComplete();
        }

        /** This side's outbound buffer crossed a water mark: reading from the other side follows it. */
        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            Channel self = ctx.channel();
            if (!self.isWritable()) {
                self.flush(); // may call this method again, writable, before it returns
            }
            Channel from = other();
            Side fromSide = otherSide();
            if (from != null && fromSide != null && !fromSide.inputEnded) {
                from.config().setAutoRead(self.isWritable());
            }
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && !inputEnded) {
                inputEnded = true;
                ended(this);
                if (isClient && upstream == null) {
                    early.add(evt);
                } else {
                    inputEnded(isClient);
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        @SuppressWarnings("FutureReturnValueIgnored") // closing is all there is left to do
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (failed) {
                return;
            }
            failed = true;
            ended(this);
            String reason = Errors.reason(cause);
            log.debug(
                    "forward: {} {}: {}",
                    ClientAddress.format(client),
                    isClient ? "client" : "upstream",
                    reason,
                    cause);
            // An upstream's failure is the client's reason even after the client's half-close: it is why the client
            // lost what it was waiting for.
            if (!isClient && client.isActive()) {
                giveClientReason(
                        CloseReason.UPSTREAM_CLOSED,
                        reason.startsWith("connection reset")
                                ? "upstream " + target + " reset the connection"
                                : "upstream " + target + ": " + reason);
            }
            Channel to = other();
            if (to != null) {
                reset(to);
            }
            ctx.close();
        }

        /** This side is closed: the other closes too, after what it was given has been flushed. */
        @Override
        @SuppressWarnings("FutureReturnValueIgnored")
        public void channelInactive(ChannelHandlerContext ctx) {
            ended(this);
            if (isClient) {
                releaseEarly();
            } else if (endedFirst == this && client.isActive()) {
                giveClientReason(CloseReason.UPSTREAM_CLOSED, "closed by upstream " + target);
            }
            Channel to = other();
            if (to != null && to.isOpen()) {
                to.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
            ctx.fireChannelInactive();
        }
    }
}
