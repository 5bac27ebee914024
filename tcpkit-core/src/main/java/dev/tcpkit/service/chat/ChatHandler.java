package dev.tcpkit.service.chat;

import dev.tcpkit.codec.Framing;
import dev.tcpkit.codec.LineFrameDecoder;
import dev.tcpkit.codec.TextMessage;
import dev.tcpkit.connection.ClientAddress;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.output.MessageRecord;
import dev.tcpkit.output.PendingRecords;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
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
 *
 * <p>The sender pays. Reading from the client pauses, between one line and the next, while its lines hold more than
 * its share of the room's outboxes ({@link Backlog}), until the room has taken half of that; and, with a line rate,
 * while it is ahead of that rate. Nothing is dropped: the rest of the read waits in the line decoder as bytes
 * ({@link LineFrameDecoder#hold()}), or here as messages with raw framing, and so does the end of input, which is
 * handled after the lines before it.
 */
final class ChatHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ChatHandler.class);
    /** How long a leaving client may take to read its last lines before the connection is closed anyway. */
    static final Duration LINGER = Duration.ofSeconds(2);

    private final ChatConfig config;
    private final ChatRoom room;
    private final PendingRecords records;
    private @Nullable ChatMember member;
    private @Nullable ChannelHandlerContext ctx;
    /** With line framing: holds back the rest of a read while reading is paused. */
    private @Nullable LineFrameDecoder lines;
    /** Messages that arrived while reading was paused (raw framing, or a read Netty made meanwhile), in order. */
    private final Deque<TextMessage> held = new ArrayDeque<>();
    /** Reading is paused: the client's lines hold more than its share of the room. */
    private boolean waitingForRoom;
    /** Reading is paused: the client is ahead of the line rate. */
    private boolean waitingForRate;
    /** The client stopped sending while reading was paused: it leaves once what came before is handled. */
    private boolean endHeld;
    /** The client stopped sending: reading is never turned back on. */
    private boolean inputEnded;
    /** The client's reads were paused for its backlog at least once (logged the first time). */
    private boolean slowed;
    /** With {@code --max-line-rate}: when the client's next line is due. */
    private @Nullable LinePace pace;

    ChatHandler(ChatConfig config, ChatRoom room, PendingRecords records) {
        this.config = config;
        this.room = room;
        this.records = records;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.lines = ctx.pipeline().get(LineFrameDecoder.class);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (config.maxLineRate() > 0) {
            pace = new LinePace(config.maxLineRate(), ctx.executor().ticker().nanoTime());
        }
        member = room.join(ctx.channel(), ClientAddress.format(ctx.channel()), this::roomCaughtUp);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ChatMember m = member;
        if (!(msg instanceof TextMessage message) || m == null || !m.present()) {
            ReferenceCountUtil.release(msg); // after /quit or a cut, what the client still sends is dropped
            return;
        }
        if (paused()) {
            held.add(message);
            ctx.channel().config().setAutoRead(false); // someone turned it on meanwhile: still paused
            return;
        }
        serve(ctx, m, message);
    }

    private boolean paused() {
        return waitingForRoom || waitingForRate;
    }

    /** Handles one line, unless the line rate says not yet; then pauses reading if the client must wait. */
    private void serve(ChannelHandlerContext ctx, ChatMember m, TextMessage message) {
        LinePace p = pace;
        long wait = p != null ? p.take(ctx.executor().ticker().nanoTime()) : 0;
        if (wait > 0) {
            held.addFirst(message); // it came first: the next to be handled
            waitingForRate = true;
            pauseReading(ctx);
            scheduleRateResume(ctx, wait);
            return;
        }
        handle(ctx, m, message);
        if (m.backlog().over() && m.present() && m.backlog().startWaiting()) {
            waitingForRoom = true;
            pauseReading(ctx);
            if (!slowed) {
                slowed = true;
                room.slowed(m);
            }
        }
    }

    @SuppressWarnings("FutureReturnValueIgnored") // the task checks the channel's state itself; nothing waits for it
    private void scheduleRateResume(ChannelHandlerContext ctx, long nanos) {
        ctx.executor().schedule(this::rateElapsed, nanos, TimeUnit.NANOSECONDS);
    }

    private void handle(ChannelHandlerContext ctx, ChatMember m, TextMessage message) {
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

    private void pauseReading(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(false);
        LineFrameDecoder decoder = lines;
        if (decoder != null) {
            decoder.hold(); // the lines left in this read wait too, not only the next read
        }
    }

    /** The room has taken half of what the client's lines held in it (on the client's loop). */
    private void roomCaughtUp() {
        waitingForRoom = false;
        resumeReading();
    }

    private void rateElapsed() {
        waitingForRate = false;
        resumeReading();
    }

    /**
     * Handles what waited, in order, until the client must wait again; then turns reading back on, unless the client
     * has stopped sending or its records are behind on stdout ({@link PendingRecords} resumes reading then).
     */
    private void resumeReading() {
        ChannelHandlerContext c = ctx;
        ChatMember m = member;
        if (paused() || c == null || m == null || !c.channel().isActive()) {
            return;
        }
        TextMessage next;
        while (!paused() && (next = held.poll()) != null) {
            if (m.present()) {
                serve(c, m, next);
            }
        }
        LineFrameDecoder decoder = lines;
        if (!paused() && decoder != null) {
            decoder.resume(); // its lines come back through channelRead, and may pause reading again
        }
        if (paused()) {
            return;
        }
        if (endHeld) {
            endHeld = false;
            end(c, m);
        }
        if (!inputEnded && !records.behind()) {
            c.channel().config().setAutoRead(true);
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

    /**
     * The client stopped sending (its last line, if unterminated, has been relayed): it has left; or, if lines of it
     * still wait to be handled, it leaves after them.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ChatMember m = member;
        if (evt instanceof ChannelInputShutdownEvent && m != null) {
            inputEnded = true;
            if (paused() || !held.isEmpty()) {
                endHeld = true;
            } else {
                end(ctx, m);
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void end(ChannelHandlerContext ctx, ChatMember m) {
        if (room.leave(m, ChatText.left(m.name()))) {
            finish(ctx, m);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ChatMember m = member;
        held.clear(); // the client is gone: what it sent that the room had not taken yet goes with it
        if (m != null) {
            room.leave(m, ChatText.left(m.name()));
            m.outbox().close(); // the disconnect event says who left, after how long, and why
        }
        ctx.fireChannelInactive();
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // a failed close leaves nothing more to do
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ChatMember m = member;
        String who = m != null ? m.toString() : ClientAddress.format(ctx.channel());
        if (cause instanceof TooLongFrameException && m != null) {
            String why = "line longer than " + config.maxLine() + " bytes";
            if (room.cut(m, CloseReason.MAX_LINE, why, why + " (--max-line)")) {
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
