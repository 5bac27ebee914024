package dev.tcpkit.app.client;

import dev.tcpkit.codec.TextDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the server sends to stdout: the bytes as received, or decoded from the wire's charset and written in
 * the console's. Runs on the event loop and writes to stdout there: when stdout blocks, reading stops and TCP slows
 * the server down, so nothing piles up in memory.
 *
 * <p>Over UDP each datagram is printed on a line of its own, decoded on its own (a character is never split between
 * two datagrams).
 */
final class ReceiveHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ReceiveHandler.class);

    private final OutputStream stdout;
    private final @Nullable TextDecoder decoder;
    private final Charset console;
    private final Activity activity;
    private final boolean datagrams;
    private boolean stdoutFailed;

    /** @param datagrams whether each read is a datagram, printed as a line of its own */
    ReceiveHandler(
            OutputStream stdout, @Nullable Charset encoding, Charset console, Activity activity, boolean datagrams) {
        this.stdout = stdout;
        this.decoder = encoding == null ? null : new TextDecoder(encoding);
        this.console = console;
        this.activity = activity;
        this.datagrams = datagrams;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            // A connected datagram channel hands over each datagram as a packet on NIO, as bytes on some transports.
            ByteBuf buf = msg instanceof DatagramPacket datagram ? datagram.content() : (ByteBuf) msg;
            if (datagrams) {
                printLine(ctx, buf);
            } else {
                print(ctx, buf, false);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        flush(ctx);
        activity.read();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        activity.writabilityChanged();
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (decoder != null && decoder.hasPending()) {
            print(ctx, Unpooled.EMPTY_BUFFER, true); // an incomplete last character is shown as U+FFFD
        }
        flush(ctx);
        activity.closed();
        ctx.fireChannelInactive();
    }

    @Override
    @SuppressWarnings("FutureReturnValueIgnored") // closing is all that is left to do; channelInactive follows
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection failed: {}", cause.toString());
        activity.failed(cause);
        ctx.close();
    }

    @SuppressWarnings("FutureReturnValueIgnored") // see exceptionCaught
    private void print(ChannelHandlerContext ctx, ByteBuf buf, boolean last) {
        if (stdoutFailed) {
            return;
        }
        try {
            if (decoder == null) {
                buf.readBytes(stdout, buf.readableBytes());
            } else {
                String text = last ? decoder.decodeLast(buf) : decoder.decode(buf);
                stdout.write(text.getBytes(console));
            }
        } catch (IOException e) {
            stdoutWentAway(ctx, e);
        }
    }

    /** One datagram (decoded on its own, or its bytes unchanged), and a line end unless it brought one. */
    @SuppressWarnings("FutureReturnValueIgnored") // see exceptionCaught
    private void printLine(ChannelHandlerContext ctx, ByteBuf datagram) {
        if (stdoutFailed) {
            return;
        }
        try {
            if (decoder == null) {
                boolean endsLine = datagram.isReadable() && datagram.getByte(datagram.writerIndex() - 1) == '\n';
                datagram.readBytes(stdout, datagram.readableBytes());
                if (!endsLine) {
                    stdout.write("\n".getBytes(console));
                }
            } else {
                String text = decoder.decodeLast(datagram);
                stdout.write((text.endsWith("\n") ? text : text + "\n").getBytes(console));
            }
        } catch (IOException e) {
            stdoutWentAway(ctx, e);
        }
    }

    private void flush(ChannelHandlerContext ctx) {
        if (stdoutFailed) {
            return;
        }
        try {
            stdout.flush();
        } catch (IOException e) {
            stdoutWentAway(ctx, e);
        }
    }

    /** Like netcat piped into {@code head}: once nobody reads what we print, the session is over. */
    @SuppressWarnings("FutureReturnValueIgnored") // see exceptionCaught
    private void stdoutWentAway(ChannelHandlerContext ctx, IOException e) {
        stdoutFailed = true;
        log.debug("stdout closed, ending the connection: {}", e.toString());
        ctx.close();
    }
}
