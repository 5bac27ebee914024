package dev.tcpkit.app.client;

import dev.tcpkit.internal.Errors;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.proxy.ProxyConnectException;
import io.netty.handler.proxy.ProxyConnectionEvent;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client connection's tunnel through a {@link ProxyUrl}: Netty's proxy handler first in the pipeline (TLS and the
 * rest after it, so that TLS runs through the tunnel), the wait for the proxy's answer, and the one line that says
 * why a proxy gave no tunnel.
 *
 * <p>The handlers after the tunnel see {@code channelActive} only once the proxy has connected them to the server
 * (the TCP connect to the proxy alone is not a connection to the server): a TLS handshake, its timeout and the bench's
 * connect time start there.
 */
public final class ProxyTunnel {
    private static final AttributeKey<ProxyHandler> HANDLER = AttributeKey.valueOf(ProxyTunnel.class, "proxy");

    /** The reason part of Netty's messages, after its {@code protocol, auth, proxy => destination, } prefix. */
    private static final Pattern SOCKS_STATUS = Pattern.compile("(auth)?[sS]tatus: ([A-Z_]+)\\((\\d+)\\)");

    private static final Pattern HTTP_STATUS = Pattern.compile("status: (\\d{3}.*)");

    private ProxyTunnel() {}

    /** Puts the tunnel's handlers first in {@code channel}'s pipeline: call it before adding the others. */
    public static void addTo(Channel channel, ProxyUrl proxy, Duration timeout) {
        ProxyHandler handler = proxy.newHandler(timeout);
        channel.attr(HANDLER).set(handler); // still there when a failure has emptied the pipeline
        channel.pipeline().addLast(handler, new ActiveWhenTunnelled());
    }

    /**
     * {@code bootstrap}, made to hand the destination to the proxy as it is: resolved or not ({@code socks5h} and
     * {@code http} pass the name on), never looked up on the way.
     */
    public static Bootstrap passingNamesOn(Bootstrap bootstrap) {
        return bootstrap.resolver(NoopAddressResolverGroup.INSTANCE);
    }

    /**
     * Completes with the channel once {@code connected} (the TCP connect to the proxy) succeeded and the proxy then
     * connected it to the server; fails with the cause of whichever did not.
     */
    public static Future<Channel> open(ChannelFuture connected) {
        Promise<Channel> open = connected.channel().eventLoop().newPromise();
        connected.addListener(tcp -> {
            if (!tcp.isSuccess()) {
                open.tryFailure(tcp.cause());
                return;
            }
            connected.channel().attr(HANDLER).get().connectFuture().addListener(tunnel -> {
                if (tunnel.isSuccess()) {
                    open.trySuccess(connected.channel());
                } else {
                    open.tryFailure(tunnel.cause());
                }
            });
        });
        return open;
    }

    /**
     * The line for a failed {@link #open}: {@code cannot reach proxy socks5://127.0.0.1:1080: connection refused},
     * or {@code proxy socks5://127.0.0.1:1080 refused the connection to 127.0.0.1:9: connection refused (SOCKS5
     * status 5)}.
     *
     * @param destination the server as the user wrote it, {@code HOST:PORT}
     * @param timeout the connect timeout, which both the TCP connect and the proxy's answer had
     */
    public static String failure(ProxyUrl proxy, String destination, Throwable cause, Duration timeout) {
        if (!(cause instanceof ProxyConnectException)) {
            return "cannot reach proxy " + proxy + ": " + Errors.connectReason(cause, timeout);
        }
        if (cause.getCause() != null) {
            return "proxy " + proxy + " failed to connect to " + destination + ": " + Errors.reason(cause.getCause());
        }
        String message = String.valueOf(cause.getMessage());
        String detail = message.substring(message.lastIndexOf(", ") + 2);
        Matcher http = HTTP_STATUS.matcher(detail);
        Matcher socks = SOCKS_STATUS.matcher(detail);
        String reason;
        if (detail.equals("timeout")) {
            return "proxy " + proxy + " did not connect to " + destination + ": timed out after " + timeout.toMillis()
                    + " ms";
        } else if (detail.equals("disconnected")) {
            return "proxy " + proxy + " closed the connection before connecting to " + destination;
        } else if (proxy.protocol().equals("HTTP") && http.matches()) {
            reason = "HTTP " + http.group(1);
        } else if (socks.matches() && socks.group(1) != null) {
            reason = "authentication failed (SOCKS5 auth status " + socks.group(3) + ")";
        } else if (socks.matches()) {
            String name = socks.group(2).equals("FAILURE") ? "general failure" : socks.group(2);
            reason = name.toLowerCase(Locale.ROOT).replace('_', ' ') + " (SOCKS5 status " + socks.group(3) + ")";
        } else if (detail.startsWith("unexpected authMethod")) {
            reason = "it accepts none of our authentication methods (does it need USER:PASS?)";
        } else {
            reason = detail;
        }
        return "proxy " + proxy + " refused the connection to " + destination + ": " + reason;
    }

    /**
     * Shows the handlers after it a connection only once the proxy has connected it to the server: holds {@code
     * channelActive} back until then, and keeps a tunnel that failed from them altogether (its failure is {@link
     * #open}'s), so that the next address tried finds them as new.
     */
    private static final class ActiveWhenTunnelled extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // Not passed on: the proxy's answer decides.
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
            boolean tunnelled = event instanceof ProxyConnectionEvent;
            if (tunnelled) {
                ctx.fireChannelActive();
            }
            ctx.fireUserEventTriggered(event);
            if (tunnelled) {
                ctx.pipeline().remove(this);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // The proxy handler's failure, before any tunnel: open() reports it.
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // Closed before a tunnel: the handlers after this never saw the connection active.
        }
    }
}
