package dev.tcpkit.service.message;

import dev.tcpkit.codec.TextDecoder;
import dev.tcpkit.connection.DatagramCounters;
import dev.tcpkit.connection.DatagramCounters.Drop;
import dev.tcpkit.internal.Addresses;
import dev.tcpkit.output.MessageRecord;
import dev.tcpkit.output.PendingRecords;
import dev.tcpkit.output.RecordWriter;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A message service over UDP: each datagram is one message from its sender, decoded whole (bytes invalid in the
 * charset as U+FFFD) and handed to the record writer like a TCP message; once its record is on stdout and in the
 * file, its answer, if any, goes to its sender. A stalled stdout pauses reading from the socket ({@link
 * PendingRecords}), and the kernel drops what does not fit its receive buffer. An answer that finds the send buffer
 * above its high water mark is dropped and counted.
 *
 * <p>One per server, on the channel's event loop; the writer's acknowledgements hop back onto it.
 */
final class DatagramMessageHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(DatagramMessageHandler.class);

    private final MessageConfig config;
    private final PendingRecords records;
    private final DatagramCounters counters;
    /** Each datagram is decoded as the whole of its text: nothing carries over to the next, which may be another's. */
    private final TextDecoder decoder;
    /** The senders of the records handed to the writer and not yet written, oldest first: whom to answer. */
    private final ArrayDeque<InetSocketAddress> senders = new ArrayDeque<>();

    private @Nullable ChannelHandlerContext context;

    DatagramMessageHandler(MessageConfig config, RecordWriter writer, Channel channel) {
        this.config = config;
        this.records = new PendingRecords(writer, channel, this::answer);
        this.counters = DatagramCounters.of(channel);
        this.decoder = new TextDecoder(config.charset());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        context = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof DatagramPacket packet) {
                int bytes = packet.content().readableBytes();
                String text = decoder.decodeLast(packet.content());
                String client = Addresses.format(packet.sender());
                records.add(new MessageRecord(config.clock().millis(), client, text, bytes));
                senders.add(packet.sender());
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        records.submit();
        ctx.fireChannelReadComplete();
    }

    /** The next {@code written} records are on stdout and in the file: now their senders may be answered. */
    private void answer(int written) {
        ChannelHandlerContext ctx = context;
        if (ctx == null) {
            return; // not reached: records come from reads, which come after handlerAdded
        }
        boolean wrote = false;
        for (int i = 0; i < written; i++) {
            InetSocketAddress sender = senders.remove();
            if (config.reply().length == 0 || !ctx.channel().isActive()) {
                counters.countAnswered();
            } else if (!ctx.channel().isWritable()) {
                counters.countDropped(Drop.UNWRITABLE);
            } else {
                DatagramPacket answer = new DatagramPacket(Unpooled.wrappedBuffer(config.reply()), sender);
                ctx.write(answer).addListener((ChannelFutureListener) f -> {
                    if (f.isSuccess()) {
                        counters.countAnswered();
                    } else {
                        log.debug("answer to {} failed: {}", sender, f.cause().toString());
                    }
                });
                wrote = true;
            }
        }
        if (wrote) {
            ctx.flush();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        records.submit(); // what was read before the socket closed is still printed
        ctx.fireChannelInactive();
    }

    /** A failed send (an ICMP unreachable from an earlier answer) concerns one client: the server goes on. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("{}: {}", config.service(), cause.toString());
    }
}
