package dev.tcpkit.connection;

import dev.tcpkit.internal.Errors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Counts one connection's bytes as they pass, and logs its connect and disconnect events.
 *
 * <p>It sits ahead of the service's handlers, so it sees every read and every write of the service; it allocates
 * nothing per message. Why the connection ended is worked out from what it saw: a reason a handler gave
 * ({@link Connection#closeReason}), else a socket error, else whether the close came through the pipeline (the
 * server's own handlers closed it while the client was still sending) or from the transport (the client closed).
 * That one {@link CloseReason} is logged and counted.
 */
final class ConnectionMeter extends ChannelDuplexHandler {
    private static final Logger log = LoggerFactory.getLogger(ConnectionMeter.class);

    private final ConnectionRegistry registry;
    private final Connection connection;
    private boolean inputShutdown;
    private boolean closedByServer;
    private @Nullable Throwable error;

    ConnectionMeter(ConnectionRegistry registry, Connection connection) {
        this.registry = registry;
        this.connection = connection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (log.isEnabledForLevel(level())) {
            log.atLevel(level())
                    .addKeyValue("event", "connect")
                    .addKeyValue("service", registry.service())
                    .addKeyValue("id", connection.id())
                    .addKeyValue("client", connection.client())
                    .log("{} connected", connection.client());
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            connection.addBytesIn(buf.readableBytes());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        long bytes = msg instanceof ByteBuf buf
                ? buf.readableBytes()
                : msg instanceof ByteBufHolder holder
                        ? holder.content().readableBytes()
                        : msg instanceof FileRegion region ? region.count() - region.transferred() : 0;
        if (bytes > 0) {
            connection.addBytesOut(bytes);
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (error == null) {
            error = cause;
        }
        super.exceptionCaught(ctx, cause);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        closedByServer = true;
        super.close(ctx, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Connection.Closing closing = closing();
        registry.remove(connection, closing.reason());
        if (log.isEnabledForLevel(level())) {
            logDisconnect(log.atLevel(level()), closing);
        }
        super.channelInactive(ctx);
    }

    private void logDisconnect(LoggingEventBuilder event, Connection.Closing closing) {
        long millis = Math.max(0, registry.nowMillis() - connection.connectedAtMillis());
        long tenths = (millis + 50) / 100; // seconds to one decimal, rounded half up as %.1f does
        String name = connection.name();
        event = event.addKeyValue("event", "disconnect")
                .addKeyValue("service", registry.service())
                .addKeyValue("id", connection.id())
                .addKeyValue("client", connection.client());
        if (name != null) {
            event = event.addKeyValue("name", name);
        }
        String upstream = connection.upstream();
        if (upstream != null) {
            event = event.addKeyValue("upstream", upstream);
        }
        event = event.addKeyValue("bytesIn", connection.bytesIn()).addKeyValue("bytesOut", connection.bytesOut());
        String messages = "";
        if (connection.messagesTracked()) {
            long n = connection.messages();
            event = event.addKeyValue("messages", n);
            messages = n + (n == 1 ? " message, " : " messages, ");
        }
        event.addKeyValue("durationMs", millis)
                .addKeyValue("reason", closing.reason().word())
                .addKeyValue("detail", closing.detail())
                // Placeholders, not String.format: the appender may format it off the event loop.
                .log(
                        "{} left after {}.{} s ({}{} bytes in, {} bytes out): {}",
                        name != null ? name + " (" + connection.client() + ")" : connection.client(),
                        tenths / 10,
                        tenths % 10,
                        messages,
                        connection.bytesIn(),
                        connection.bytesOut(),
                        closing.detail());
    }

    private Connection.Closing closing() {
        Connection.Closing given = connection.givenCloseReason();
        if (given != null) {
            return given;
        }
        Throwable e = error;
        if (e != null) {
            String detail = Errors.reason(e);
            // "Connection reset by peer" from the native transports, "Connection reset" from NIO.
            CloseReason reason = detail.startsWith("connection reset") ? CloseReason.PEER_RESET : CloseReason.ERROR;
            return new Connection.Closing(reason, detail);
        }
        return closedByServer && !inputShutdown
                ? new Connection.Closing(CloseReason.SERVER_CLOSED, "closed by server")
                : new Connection.Closing(CloseReason.CLIENT_CLOSED, "closed by client");
    }

    private Level level() {
        return registry.announce() ? Level.INFO : Level.DEBUG;
    }
}
