package dev.tcpkit.service.message;

import dev.tcpkit.codec.Framing;
import dev.tcpkit.codec.TextDecoder;
import dev.tcpkit.internal.Addresses;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of a message service: decodes each message, hands it to the record writer, and once it is written
 * sends the answer, if any, and closes if the service answers only once.
 *
 * <p>Backpressure: while more than {@value #MAX_PENDING} bytes of this connection's records wait for stdout (a slow
 * terminal or pipe), reading from it pauses; it resumes once half of that is written. So a stalled stdout holds a
 * bounded amount per connection and never blocks an event loop.
 *
 * <p>State lives on the connection's event loop. Records go to the writer once per read burst, and the writer's
 * callbacks hop back once for however many were written meanwhile: at hundreds of thousands of lines a second, a
 * thread wake-up and a {@code write(2)} per line would cost far more than the line itself.
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
    /** Records of the current read burst, handed to the writer together at its end; see {@link #submit}. */
    private List<MessageRecord> unsent = new ArrayList<>();

    private long unsentCost;
    /** Records the writer has written and this loop has not yet answered, and their cost; see {@link #written}. */
    private final AtomicInteger writtenRecords = new AtomicInteger();

    private final AtomicLong writtenCost = new AtomicLong();
    private final AtomicBoolean answerScheduled = new AtomicBoolean();

    private boolean done;
    private boolean inputClosed;

    MessageHandler(MessageConfig config, RecordWriter writer) {
        this.config = config;
        this.writer = writer;
        this.decoder = new TextDecoder(config.charset());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = Addresses.format(ctx.channel().remoteAddress());
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
            ctx.channel().config().setAutoRead(false);
            log.debug("{}: output is behind, pausing reads", client);
        }
        unsent.add(new MessageRecord(config.clock().millis(), client, text, bytes));
        unsentCost += cost;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        submit(ctx);
        ctx.fireChannelReadComplete();
    }

    /** Hands the records of this read burst to the writer, in one piece. */
    private void submit(ChannelHandlerContext ctx) {
        if (unsent.isEmpty()) {
            return;
        }
        List<MessageRecord> records = unsent;
        long cost = unsentCost;
        unsent = new ArrayList<>();
        unsentCost = 0;
        writer.write(records, () -> written(ctx, records.size(), cost));
    }

    /** On the writer thread, once records are written: schedules {@link #answer} unless it is already due. */
    private void written(ChannelHandlerContext ctx, int records, long cost) {
        writtenCost.addAndGet(cost);
        writtenRecords.addAndGet(records);
        if (answerScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(() -> answer(ctx));
        }
    }

    /** The messages written since the last call are now safe, so they may be acknowledged. */
    private void answer(ChannelHandlerContext ctx) {
        answerScheduled.set(false); // before taking the counts: a record written from now on schedules a new call
        int records = writtenRecords.getAndSet(0);
        unanswered -= records;
        pending -= writtenCost.getAndSet(0);
        if (pausedForOutput && pending <= MAX_PENDING / 2) {
            pausedForOutput = false;
            ctx.channel().config().setAutoRead(true);
        }
        if (records == 0 || !ctx.channel().isActive()) {
            return;
        }
        boolean closeNow = config.closeAfterFirst() || (inputClosed && unanswered == 0);
        if (config.reply().length > 0) {
            for (int i = closeNow ? 1 : 0; i < records; i++) {
                ctx.write(reply()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            }
        }
        if (closeNow) {
            finish(ctx, config.reply().length > 0 ? reply() : Unpooled.EMPTY_BUFFER);
        } else {
            ctx.flush();
        }
    }

    private ByteBuf reply() {
        return Unpooled.wrappedBuffer(config.reply());
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
        submit(ctx);
        if (unanswered == 0) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        submit(ctx); // a connection cut in the middle of a burst: what it sent is still printed
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
            log.warn("closing {}: line longer than {} bytes (--max-line)", client, config.maxLine());
        } else if (cause instanceof IOException) {
            log.debug("closing {}: {}", client, cause.toString());
        } else {
            log.warn("closing {}: {}", client, cause.toString(), cause);
        }
        ctx.close();
    }
}
