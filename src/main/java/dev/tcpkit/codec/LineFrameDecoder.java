package dev.tcpkit.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.util.List;

/**
 * Splits the stream at {@code \n} or {@code \r\n}, stripping the terminator, and fails fast on a line longer than
 * the maximum (a {@link io.netty.handler.codec.TooLongFrameException}).
 *
 * <p>Unlike Netty's decoder it does not drop an unterminated last line: {@code printf hello | nc host port} sends
 * one message, and a log that silently lost it would be wrong.
 */
public final class LineFrameDecoder extends LineBasedFrameDecoder {
    private final int maxLine;

    public LineFrameDecoder(int maxLine) {
        super(checkMax(maxLine), true, true);
        this.maxLine = maxLine;
    }

    private static int checkMax(int maxLine) {
        if (maxLine < 1) {
            throw new IllegalArgumentException("maxLine must be >= 1: " + maxLine);
        }
        return maxLine;
    }

    /** The longest line accepted, in bytes, without its terminator. */
    public int maxLine() {
        return maxLine;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        int remaining = in.readableBytes();
        if (remaining > 0 && remaining <= maxLine) {
            out.add(in.readRetainedSlice(remaining));
        }
    }
}
