package dev.tcpkit.guard;

import dev.tcpkit.connection.ClientAddress;
import dev.tcpkit.internal.Durations;
import dev.tcpkit.internal.Errors;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits behind Netty's {@code HAProxyMessageDecoder} for the PROXY header of a connection from a trusted proxy, then
 * has the {@link Guard} admit the client it names. Until then the connection is not active for anything after it: the
 * service is added, and sees {@code channelActive}, only once its client is admitted.
 *
 * <p>Per the PROXY protocol's spec, the header is never guessed: a connection that does not start with one, sends a
 * malformed one, or sends none within the timeout is closed and counted as denied. A {@code LOCAL} header (a proxy's
 * own health check) or one for an unknown protocol leaves the proxy itself as the client.
 */
final class ProxyHeaderHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProxyHeaderHandler.class);
    private static final int MAX_REASON = 160;
    private static final String MALFORMED = "malformed PROXY header";
    private static final String LOST = "lost before sending a PROXY header";
    private static final String NO_ENUM_CONSTANT = "No enum constant ";

    private final Guard guard;
    private final Consumer<Channel> serve;
    private final Duration timeout;
    private @Nullable ScheduledFuture<?> deadline;
    /** Whether this connection was admitted or counted as denied already. */
    private boolean settled;

    ProxyHeaderHandler(Guard guard, Consumer<Channel> serve, Duration timeout) {
        this.guard = guard;
        this.serve = serve;
        this.timeout = timeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = ctx.executor()
                .schedule(
                        () -> reject(ctx, "no PROXY header within " + Durations.format(timeout)),
                        timeout.toNanos(),
                        TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // Held back: the service is not there yet. It is sent on once the client is admitted, see onHeader.
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HAProxyMessage header) {
            try {
                onHeader(ctx, header);
            } finally {
                header.release();
            }
        } else {
            ReferenceCountUtil.release(msg); // bytes after a header whose client was not admitted
        }
    }

    private void onHeader(ChannelHandlerContext ctx, HAProxyMessage header) {
        cancelDeadline();
        if (settled) {
            return;
        }
        settled = true;
        Channel ch = ctx.channel();
        InetSocketAddress client = clientOf(header);
        if (client != null) {
            ClientAddress.setProxied(ch, client, destinationOf(header));
        } else if (ch.remoteAddress() instanceof InetSocketAddress peer) {
            client = peer; // else the peer of a Unix socket, which has no address
        }
        if (guard.admitClient(ch, client, serve)) {
            ctx.fireChannelActive();
            // The decoder removes itself next and hands the bytes that followed the header on to the service.
            ctx.pipeline().remove(this);
        }
    }

    /**
     * The client a header names, or {@code null} for LOCAL and UNKNOWN headers, which name none, and for unix-socket
     * headers, which carry paths: the proxy is then the only address there is.
     */
    private static @Nullable InetSocketAddress clientOf(HAProxyMessage header) {
        String source = header.sourceAddress();
        if (header.command() == HAProxyCommand.LOCAL || source == null) {
            return null;
        }
        InetAddress ip = NetUtil.createInetAddressFromIpAddressString(source);
        return ip == null ? null : new InetSocketAddress(ip, header.sourcePort());
    }

    /** Where the header says the client connected to; {@code null} if it names no address there. */
    private static @Nullable InetSocketAddress destinationOf(HAProxyMessage header) {
        String destination = header.destinationAddress();
        InetAddress ip = destination == null ? null : NetUtil.createInetAddressFromIpAddressString(destination);
        return ip == null ? null : new InetSocketAddress(ip, header.destinationPort());
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // closing is all there is to do
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof HAProxyProtocolException) {
            reject(ctx, MALFORMED + ": " + reason(cause), MALFORMED);
        } else {
            log.debug("closing {}: {}", ClientAddress.format(ctx.channel()), cause.toString());
            reject(ctx, LOST + ": " + Errors.reason(cause), LOST);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        reject(ctx, "left before sending a PROXY header");
        ctx.fireChannelInactive();
    }

    private void reject(ChannelHandlerContext ctx, String why) {
        reject(ctx, why, why);
    }

    /** Denies the connection, unless it was settled already, and closes it; {@code reason} groups its log lines. */
    @SuppressWarnings("FutureReturnValueIgnored") // closing is all there is to do
    private void reject(ChannelHandlerContext ctx, String why, String reason) {
        cancelDeadline();
        if (!settled) {
            settled = true;
            guard.rejectHeader(ctx.channel(), why, reason);
        }
        ctx.close();
    }

    private void cancelDeadline() {
        ScheduledFuture<?> d = deadline;
        if (d != null) {
            d.cancel(false);
            deadline = null;
        }
    }

    /**
     * The decoder's own words, without the exception class names it wraps them in. They may quote what the peer sent:
     * control characters are shown as {@code ?} and the text is shortened, so that one rejection is one short log line.
     */
    private static String reason(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String message = root.getMessage();
        String text = message == null ? root.getClass().getSimpleName() : unknownWord(message);
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_REASON));
        for (int i = 0; i < text.length() && i < MAX_REASON; i++) {
            char c = text.charAt(i);
            sb.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return text.length() > MAX_REASON ? sb.append("...").toString() : sb.toString();
    }

    /**
     * A v1 header's unknown protocol or command reaches us as {@code Enum.valueOf}'s "No enum constant
     * io.netty...HAProxyProxiedProtocol.X": the peer reads "unknown word 'X'", not Netty's class names.
     */
    private static String unknownWord(String message) {
        if (!message.startsWith(NO_ENUM_CONSTANT)) {
            return message;
        }
        return "unknown word '" + message.substring(message.lastIndexOf('.') + 1) + "'";
    }
}
