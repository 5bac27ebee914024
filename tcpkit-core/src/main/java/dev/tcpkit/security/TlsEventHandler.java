package dev.tcpkit.security;

import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.Connection;
import dev.tcpkit.internal.Addresses;
import dev.tcpkit.internal.LogThrottle;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right after a server connection's {@code SslHandler}, ahead of the service, and turns TLS events into what
 * the service already understands.
 *
 * <ul>
 *   <li>A failed handshake (plaintext or garbage, a rejected certificate, a timeout) is logged once, as one line, and
 *       the connection closes; the exceptions that follow it go no further. A flood of them is logged at most once a
 *       second. A client that closes before the handshake ends (a port probe) is logged at debug level only.
 *   <li>A TLS error after the handshake (a forged record, say) closes the connection with one line too.
 *   <li>The client's {@code close_notify} (its end of sending, in TLS) reaches the service as the end of input, as
 *       a TCP half-close would: echo sends back what it has and closes. The TCP half-close that usually follows is
 *       not passed on a second time.
 *   <li>Whatever the service wrote while handling one TLS record is encrypted before the next record is decrypted
 *       (the {@code SslHandler} passes each record's data on before it decrypts the next, with either engine). A
 *       client's last data and its {@code close_notify} often arrive in one read, and a TLS engine may close its own
 *       sending side on the {@code close_notify} (Netty's OpenSSL engine always does; TLS 1.2 has no half-close),
 *       after which an answer still waiting for the end of the read would be lost.
 * </ul>
 */
final class TlsEventHandler extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(TlsEventHandler.class);

    private final LogThrottle throttle;
    private boolean failed;
    private boolean inputEnded;
    /** Whether the service wrote since the last flush: only then does a record need flushing after it. */
    private boolean unflushed;

    TlsEventHandler(LogThrottle throttle) {
        this.throttle = throttle;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.fireChannelRead(msg);
        if (unflushed) {
            unflushed = false; // this flush starts below this handler's own flush()
            ctx.flush(); // reaches the SslHandler just before this handler: it encrypts now, see the class comment
        }
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // the caller's promise carries the outcome
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        unflushed = true;
        ctx.write(msg, promise);
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        unflushed = false;
        ctx.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            failed = true;
            report(ctx, "TLS handshake failed", done.cause());
        } else if (evt instanceof SslCloseCompletionEvent closed && closed.isSuccess()) {
            ctx.fireUserEventTriggered(evt);
            endInput(ctx);
            return;
        } else if (evt instanceof ChannelInputShutdownEvent) {
            endInput(ctx);
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @SuppressWarnings("FutureReturnValueIgnored") // closing is all that is left to do
    private void endInput(ChannelHandlerContext ctx) {
        if (inputEnded) {
            return;
        }
        inputEnded = true;
        if (Boolean.TRUE.equals(ctx.channel().config().getOption(ChannelOption.ALLOW_HALF_CLOSURE))) {
            ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        } else {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // a failed close leaves nothing more to do
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (failed) {
            log.debug(
                    "{}: after the failed handshake: {}",
                    client(ctx),
                    cause.getClass().getName());
            ctx.close();
        } else if (TlsErrors.isTls(cause)) {
            failed = true;
            report(ctx, "TLS error", cause);
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    private void report(ChannelHandlerContext ctx, String what, Throwable cause) {
        String reason = TlsErrors.reason(cause, "client");
        if (TlsErrors.closedDuringHandshake(cause)) {
            log.debug("{}: {}: {}", client(ctx), what, reason);
            return;
        }
        // One reason per connection: the disconnect event names the TLS failure, not "closed by client" after it.
        Connection connection = Connection.of(ctx.channel());
        if (connection != null) {
            connection.closeReason(CloseReason.TLS_FAILED, what + ": " + reason);
        }
        long unlogged = throttle.tryAcquire();
        if (unlogged < 0) {
            log.debug("closing {}: {}: {}", client(ctx), what, reason);
        } else if (unlogged == 0) {
            log.info("closing {}: {}: {}", client(ctx), what, reason);
        } else {
            log.info(
                    "closing {}: {}: {} (and {} more TLS failures since the last such line)",
                    client(ctx),
                    what,
                    reason,
                    unlogged);
        }
        if (log.isDebugEnabled()) {
            log.debug("{}: {} in detail", client(ctx), what, cause);
        }
    }

    private static String client(ChannelHandlerContext ctx) {
        return Addresses.format(ctx.channel().remoteAddress());
    }
}
