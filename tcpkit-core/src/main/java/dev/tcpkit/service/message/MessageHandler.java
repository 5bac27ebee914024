package dev.tcpkit.service.message;

import dev.tcpkit.codec.TextMessage;
import dev.tcpkit.connection.ClientAddress;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.Connection;
import dev.tcpkit.connection.Cuts;
import dev.tcpkit.output.MessageRecord;
import dev.tcpkit.output.PendingRecords;
import dev.tcpkit.output.RecordEncoder;
import dev.tcpkit.output.RecordWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection of a message service: hands each decoded message to the record writer, and once it is written
 * sends the answer, if any, and closes if the service answers only once. A stalled stdout pauses this connection's
 * reads (see {@link PendingRecords}).
 *
 * <p>Answers go out only while the connection is writable (below its high water mark): since every answer is the
 * same bytes, those a client is not taking are counted, not buffered, and reading from it pauses until it takes
 * them. So a client that sends and never reads makes the server hold at most the high water mark plus one answer for
 * it; it is slowed, not cut.
 *
 * <p>State lives on the connection's event loop; the writer's callback hops back onto it.
 */
final class MessageHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(MessageHandler.class);
    /** How long a finished connection waits for the client to close, see {@link #finish}. */
    static final Duration LINGER = Duration.ofSeconds(2);

    private final MessageConfig config;
    private final PendingRecords records;
    /** Whether lines come as bytes, to be recorded through {@link #encoder}. */
    private final boolean encodedLines;
    /** Makes this connection's record lines from their bytes; set once the client is known. */
    private @Nullable RecordEncoder encoder;

    private String client = "?";
    /** The server's entry for this connection, or null outside a TcpServer (a bare pipeline in a test). */
    private @Nullable Connection connection;
    /** Records handed to the writer whose answer has not been sent yet. */
    private int unanswered;

    private boolean done;
    private boolean inputClosed;
    private boolean closing;
    /** Answers due whose bytes are not handed to the socket yet: the client is not reading. See {@link #sendOwed}. */
    private long owed;

    /** Set when the handler is added; the writer's acknowledgements answer through it. */
    private @Nullable ChannelHandlerContext context;

    /**
     * @param encodedLines whether lines come to {@link #line} from the framing stage, to be recorded from their bytes:
     *     see {@code MessageService}
     */
    MessageHandler(MessageConfig config, RecordWriter writer, Channel channel, boolean encodedLines) {
        this.config = config;
        this.records = new PendingRecords(writer, channel, this::answer);
        this.encodedLines = encodedLines;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = ClientAddress.format(ctx.channel());
        if (encodedLines) {
            encoder = new RecordEncoder(client, config.charset());
        }
        connection = Connection.of(ctx.channel());
        if (connection != null) {
            connection.trackMessages();
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
            if (done) {
                return;
            }
            if (!(msg instanceof TextMessage message)) {
                return;
            }
            record(message);
            if (config.closeAfterFirst()) {
                done = true; // what the client sends from now on is read and dropped, see finish()
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void record(TextMessage message) {
        countMessage();
        MessageRecord record = new MessageRecord(config.clock().millis(), client, message.text(), message.bytes());
        records.add(record);
    }

    /**
     * A line, where the framing stage found it (a {@code LineSink}), when lines are recorded from their bytes: no slice
     * of it is passed down the pipeline.
     */
    void line(ByteBuf buffer, int index, int length) {
        RecordEncoder e = encoder;
        if (done || e == null) {
            return;
        }
        countMessage();
        e.add(config.clock().millis(), buffer, index, length);
        if (config.closeAfterFirst()) {
            done = true; // what the client sends from now on is read and dropped, see finish()
        }
    }

    private void countMessage() {
        if (connection != null) {
            connection.countMessage();
        }
        unanswered++;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        submit();
        ctx.fireChannelReadComplete();
    }

    /** Hands the records of this burst to the writer, the encoded lines as one record. */
    private void submit() {
        RecordEncoder e = encoder;
        if (e != null && e.lines() > 0) {
            records.add(e.take());
        }
        records.submit();
    }

    /** The next {@code written} messages are on stdout and in the file: now they may be acknowledged. */
    private void answer(int written) {
        ChannelHandlerContext ctx = context;
        unanswered -= written;
        if (ctx == null || !ctx.channel().isActive()) {
            return;
        }
        if (config.closeAfterFirst()) {
            updateReading(ctx);
            finish(ctx, config.reply().length > 0 ? reply() : Unpooled.EMPTY_BUFFER);
            return;
        }
        if (config.reply().length > 0) {
            owed += written;
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
            ctx.write(reply()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
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
        ctx.channel().config().setAutoRead(!records.behind() && takingAnswers);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            sendOwed(ctx);
            updateReading(ctx);
        }
        ctx.fireChannelWritabilityChanged();
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
        if (config.closeAfterFirst() && connection != null) {
            connection.closeReason(CloseReason.SERVER_CLOSED, "answered");
        }
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
        // The decoders before this handler have passed on every message, the last incomplete one included.
        inputClosed = true;
        submit();
        if (unanswered == 0 && owed == 0) {
            closeWhenFlushed(ctx);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        submit(); // a connection cut in the middle of a burst: what it sent is still printed
        ctx.fireChannelInactive();
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // a failed close leaves nothing more to do
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            String reason = "line longer than " + config.maxLine() + " bytes (--max-line)";
            Cuts.cut(
                    ctx.channel(),
                    CloseReason.MAX_LINE,
                    reason); // the disconnect reason; counts, logs (rate-limited) and closes
            return;
        } else if (cause instanceof IOException) {
            log.debug("closing {}: {}", client, cause.toString());
        } else {
            log.atWarn()
                    .addKeyValue("event", "error")
                    .addKeyValue("service", config.service())
                    .addKeyValue("client", client)
                    .setCause(cause)
                    .log("closing {}: {}", client, cause.toString());
        }
        ctx.close();
    }
}
