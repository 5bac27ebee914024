package dev.tcpkit.service.message;

import dev.tcpkit.codec.Framing;
import dev.tcpkit.codec.TextDecoder;
import dev.tcpkit.guard.ClientAddress;
import dev.tcpkit.guard.Cuts;
import dev.tcpkit.output.MessageRecord;
import dev.tcpkit.output.RecordWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of a message service: decodes each message, hands it to the record writer, and once it is written
 * sends the answer, if any, and closes if the service answers only once.
 *
 * <p>Backpressure, two ways. While more than {@value #MAX_PENDING} bytes of this connection's records wait for stdout
 * (a slow terminal or pipe), reading from it pauses; it resumes once half of that is written. So a stalled stdout
 * holds a bounded amount per connection and never blocks an event loop. And answers go out only while the connection
 * is writable (below its high water mark): since every answer is the same bytes, those a client is not taking are
 * counted, not buffered, and reading from it pauses until it takes them. So a client that sends and never reads makes
 * the server hold at most the high water mark plus one answer for it; it is slowed, not cut.
 *
 * <p>State lives on the connection's event loop; the writer's callback hops back onto it.
 */
final class MessageHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(MessageHandler.class);
    /** Bytes of records (text plus a fixed cost for each) that may wait for the writer before reads pause. */
    static final int MAX_PENDING = 64 * 1024;

    private static final int RECORD_COST = 128;
    /** How long a finished connection waits for the client to close, see {@link #finish}. */
    static final Duration LINGER = Duration.ofSeconds(2);

    private final MessageConfig config;
    private final RecordWriter writer;
    private final TextDecoder decoder;
    private String client = "?";
    private long connectedAt;
    private long messages;
    private long bytesIn;
    /** Bytes of a raw read whose text is still incomplete; counted with the message that completes it. */
    private int carriedBytes;
    /** Records handed to the writer whose answer has not been sent yet. */
    private int unanswered;
    /** What those records cost, in bytes; see {@link #MAX_PENDING}. */
    private long pending;

    private boolean pausedForOutput;
    /** Answers due whose bytes are not handed to the socket yet: the client is not reading. See {@link #sendOwed}. */
    private long owed;

    private boolean done;
    private boolean inputClosed;
    private boolean closing;

    MessageHandler(MessageConfig config, RecordWriter writer) {
        this.config = config;
        this.writer = writer;
        this.decoder = new TextDecoder(config.charset());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ClientAddress.format(ctx.channel());
        connectedAt = System.nanoTime();
        if (config.announce()) {
            log.info("{} connected", client);
        } else {
            log.debug("{} connected", client);
        }
        if (config.banner().length > 0) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(config.banner()))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (done || !(msg instanceof ByteBuf buf)) {
                return;
            }
            int bytes = buf.readableBytes();
            bytesIn += bytes;
            String text = config.framing() == Framing.LINE ? decoder.decodeLast(buf) : decoder.decode(buf);
            if (config.framing() == Framing.RAW && text.isEmpty() && bytes > 0) {
                carriedBytes += bytes; // only part of a character so far: it belongs to the next record
                return;
            }
            record(ctx, text, carriedBytes + bytes);
            carriedBytes = 0;
            if (config.closeAfterFirst()) {
                done = true; // what the client sends from now on is read and dropped, see finish()
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void record(ChannelHandlerContext ctx, String text, int bytes) {
        messages++;
        unanswered++;
        long cost = RECORD_COST + 2L * text.length();
        pending += cost;
        if (pending > MAX_PENDING && !pausedForOutput) {
            pausedForOutput = true;
            updateReading(ctx);
            log.debug("{}: output is behind, pausing reads", client);
        }
        MessageRecord record = new MessageRecord(config.clock().millis(), client, text, bytes);
        writer.write(record, () -> ctx.executor().execute(() -> answer(ctx, cost)));
    }

    /** Runs once a record is written: the message is now safe, so it may be acknowledged. */
    private void answer(ChannelHandlerContext ctx, long cost) {
        unanswered--;
        pending -= cost;
        if (pausedForOutput && pending <= MAX_PENDING / 2) {
            pausedForOutput = false;
        }
        if (!ctx.channel().isActive()) {
            return;
        }
        if (config.closeAfterFirst()) {
            updateReading(ctx);
            finish(ctx, config.reply().length > 0 ? Unpooled.wrappedBuffer(config.reply()) : Unpooled.EMPTY_BUFFER);
            return;
        }
        if (config.reply().length > 0) {
            owed++;
        }
        sendOwed(ctx);
        updateReading(ctx);
    }

    /**
     * Hands owed answers to the socket while it is writable, and closes a half-closed connection once everything is
     * answered and sent. The answer that takes the connection past its high water mark is the last until it drains.
     */
    private void sendOwed(ChannelHandlerContext ctx) {
        boolean wrote = false;
        while (owed > 0 && ctx.channel().isWritable()) {
            owed--;
            ctx.write(Unpooled.wrappedBuffer(config.reply())).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            wrote = true;
        }
        if (inputClosed && unanswered == 0 && owed == 0) {
            closeWhenFlushed(ctx);
        } else if (wrote) {
            ctx.flush();
        }
    }

    private void closeWhenFlushed(ChannelHandlerContext ctx) {
        if (!closing) {
            closing = true;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Reads go on unless stdout is behind with this client's records, or the client is not taking its answers. Once a
     * {@code reply} connection has its one message, what it sends is dropped and costs nothing, so only stdout counts.
     */
    private void updateReading(ChannelHandlerContext ctx) {
        boolean takingAnswers = done || (owed == 0 && ctx.channel().isWritable());
        ctx.channel().config().setAutoRead(!pausedForOutput && takingAnswers);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            sendOwed(ctx);
            updateReading(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * Sends the last bytes and closes without a reset. Closing a socket with unread input makes the kernel send a
     * reset, which can destroy the reply before the client reads it; so, like nginx's lingering close, the server
     * shuts down its sending side, drops what the client still sends, and closes at the client's end of input or
     * after {@link #LINGER}.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // closing is all that is left to do, whatever the outcome
    private void finish(ChannelHandlerContext ctx, ByteBuf last) {
        ChannelFuture written = ctx.writeAndFlush(last);
        if (inputClosed || !(ctx.channel() instanceof DuplexChannel duplex)) {
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        written.addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
                return;
            }
            duplex.shutdownOutput().addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            ctx.executor().schedule(() -> ctx.close(), LINGER.toMillis(), TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof ChannelInputShutdownEvent)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        inputClosed = true;
        if (!done && decoder.hasPending()) {
            record(ctx, decoder.decodeLast(Unpooled.EMPTY_BUFFER), carriedBytes);
        }
        if (unanswered == 0 && owed == 0) {
            closeWhenFlushed(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        double seconds = (System.nanoTime() - connectedAt) / 1e9;
        String summary = String.format(
                Locale.ROOT,
                "%s left after %.1f s (%d message%s, %d bytes)",
                client,
                seconds,
                messages,
                messages == 1 ? "" : "s",
                bytesIn);
        if (config.announce()) {
            log.info(summary);
        } else {
            log.debug(summary);
        }
        ctx.fireChannelInactive();
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // a failed close leaves nothing more to do
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            Cuts.cut(ctx.channel(), "line longer than " + config.maxLine() + " bytes (--max-line)");
            return;
        } else if (cause instanceof IOException) {
            log.debug("closing {}: {}", client, cause.toString());
        } else {
            log.warn("closing {}: {}", client, cause.toString(), cause);
        }
        ctx.close();
    }
}
