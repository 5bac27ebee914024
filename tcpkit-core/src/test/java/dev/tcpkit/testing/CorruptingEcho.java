package dev.tcpkit.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/** A misbehaving echo: sends every byte back but flips one bit of the byte at stream offset {@code at}. */
public final class CorruptingEcho extends ChannelInboundHandlerAdapter {
    private final long at;
    private long seen;

    public CorruptingEcho(long at) {
        this.at = at;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf in = (ByteBuf) msg;
        int n = in.readableBytes();
        if (at >= seen && at < seen + n) {
            int index = in.readerIndex() + (int) (at - seen);
            in.setByte(index, in.getByte(index) ^ 0x40);
        }
        seen += n;
        ctx.write(in).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }
}
