package dev.tcpkit.service.chat;

import dev.tcpkit.codec.Framing;
import dev.tcpkit.codec.TextMessage;
import dev.tcpkit.guard.ClientAddress;
import dev.tcpkit.output.MessageRecord;
import dev.tcpkit.service.PendingRecords;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chat client: joins the room when connected, then turns each line it sends into a relay or a command, prints
 * each relayed line as a record, and leaves the room when it quits, stops sending or disconnects.
 *
 * <p>Runs on the client's event loop. What it relays goes into the other clients' outboxes without waiting for them;
 * its own outbox is written here, when the room offers lines and whenever the channel becomes writable again.
 */
final class ChatHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ChatHandler.class);
    /** How long a leaving client may take to read its last lines before the connection is closed anyway. */
    static final Duration LINGER = Duration.ofSeconds(2);

    private final ChatConfig config;
    private final ChatRoom room;
    private final PendingRecords records;
    private @Nullable ChatMember member;
    private long connectedAt;
    private long bytesIn;

    ChatHandler(ChatConfig config, ChatRoom room, PendingRecords records) {
        this.config = config;
        this.room = room;
        this.records = records;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connectedAt = System.nanoTime();
        member = room.join(ctx.channel(), ClientAddress.format(ctx.channel()));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ChatMember m = member;
        if (!(msg instanceof TextMessage message) || m == null || !m.present()) {
            ReferenceCountUtil.release(msg); // after /quit or a cut, what the client still sends is dropped
            return;
        }
        bytesIn += message.bytes();
        String line = config.framing() == Framing.RAW ? withoutTerminator(message.text()) : message.text();
        ChatInput input = ChatInput.parse(line);
        switch (input.kind()) {
            case SAY -> say(m, input.argument(), message.bytes());
            case NICK -> room.rename(m, input.argument());
            case WHO -> room.who(m);
            case HELP -> m.send(ChatText.help());
            case QUIT -> {
                m.send(ChatText.bye());
                room.leave(m, ChatText.left(m.name()));
                finish(ctx, m);
            }
            case UNKNOWN -> m.send(ChatText.unknownCommand(input.argument()));
        }
    }

    /** With raw framing a read is a message: the newline that ended what the client typed is not part of it. */
    private static String withoutTerminator(String text) {
        if (text.endsWith("\r\n")) {
            return text.substring(0, text.length() - 2);
        }
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }

    private void say(ChatMember m, String text, int bytes) {
        if (text.isEmpty()) {
            return; // a bare Enter says nothing
        }
        // Printed first: an answer to this line, from another client, is then always printed after it.
        records.add(new MessageRecord(config.clock().millis(), m.address(), m.name(), text, bytes));
        records.submit();
        m.countMessage();
        room.relay(m, text);
    }

    /** Sends what waits for the client, then closes; a client that does not read gets {@link #LINGER}. */
    @SuppressWarnings("FutureReturnValueIgnored") // closing is all that is left to do, whatever the outcome
    private static void finish(ChannelHandlerContext ctx, ChatMember m) {
        m.outbox().finish();
        ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ChatMember m = member;
        if (m != null && ctx.channel().isWritable()) {
            m.outbox().writable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** The client stopped sending (its last line, if unterminated, has been relayed): it has left. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ChatMember m = member;
        if (evt instanceof ChannelInputShutdownEvent && m != null && room.leave(m, ChatText.left(m.name()))) {
            finish(ctx, m);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ChatMember m = member;
        if (m != null) {
            room.leave(m, ChatText.left(m.name()));
            m.outbox().close();
            double seconds = (System.nanoTime() - connectedAt) / 1e9;
            long lines = m.messages();
            log.info(String.format(
                    Locale.ROOT,
                    "%s left after %.1f s (%d line%s, %d bytes)",
                    m,
                    seconds,
                    lines,
                    lines == 1 ? "" : "s",
                    bytesIn));
        }
        ctx.fireChannelInactive();
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // a failed close leaves nothing more to do
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ChatMember m = member;
        String who = m != null ? m.toString() : ClientAddress.format(ctx.channel());
        if (cause instanceof TooLongFrameException && m != null) {
            if (room.cut(m, "line longer than " + config.maxLine() + " bytes")) {
                log.warn("disconnecting {}: line longer than {} bytes (--max-line)", who, config.maxLine());
                m.send(ChatText.lineTooLong(config.maxLine()));
                finish(ctx, m);
            }
            return;
        }
        if (cause instanceof IOException) {
            log.debug("closing {}: {}", who, cause.toString());
        } else {
            log.warn("closing {}: {}", who, cause.toString(), cause);
        }
        ctx.close();
    }
}
