package dev.tcpkit.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.nio.charset.Charset;
import java.util.List;

/**
 * Turns each message's bytes into a {@link TextMessage} in the connection's charset; goes after the framing decoder.
 *
 * <p>With raw framing a character split across two reads belongs to the message in which it completes: a read that
 * holds only its first bytes yields nothing. When the client stops sending, bytes of an incomplete last character
 * become a last message (U+FFFD), just before the {@link ChannelInputShutdownEvent} is passed on. One instance per
 * connection.
 */
public final class TextMessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final TextDecoder decoder;
    private final Framing framing;
    /** Bytes of a raw read whose text is still incomplete; counted with the message that completes it. */
    private int carriedBytes;

    public TextMessageDecoder(Charset charset, Framing framing) {
        super(ByteBuf.class);
        this.decoder = new TextDecoder(charset);
        this.framing = framing;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf msg, List<Object> out) {
        int bytes = msg.readableBytes();
        if (framing == Framing.LINE) {
            out.add(new TextMessage(decoder.decodeLast(msg), bytes));
            return;
        }
        String text = decoder.decode(msg);
        if (text.isEmpty() && bytes > 0) {
            carriedBytes += bytes; // only part of a character so far: it belongs to the next message
            return;
        }
        out.add(new TextMessage(text, carriedBytes + bytes));
        carriedBytes = 0;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ChannelInputShutdownEvent && decoder.hasPending()) {
            ctx.fireChannelRead(new TextMessage(decoder.decodeLast(Unpooled.EMPTY_BUFFER), carriedBytes));
            carriedBytes = 0;
        }
        super.userEventTriggered(ctx, evt);
    }
}
