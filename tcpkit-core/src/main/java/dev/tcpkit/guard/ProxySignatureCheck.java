package dev.tcpkit.guard;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyProtocolException;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;

/**
 * Sits in front of Netty's {@code HAProxyMessageDecoder} and fails a connection at the first byte that can start
 * neither a v1 header ({@code "PROXY "}) nor the v2 signature, then removes itself once the start of either is there.
 *
 * <p>The decoder decides between the versions only once it holds 13 bytes, so {@code garbage\r\n} (9 bytes) would
 * sit until the header timeout or until the client left. The first byte already rules out one version ({@code P} or
 * {@code \r}); every further byte is checked against the one left. See issue 11.
 */
final class ProxySignatureCheck extends ChannelInboundHandlerAdapter {
    private static final byte[] V1 = "PROXY ".getBytes(US_ASCII);
    private static final byte[] V2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    /** Bytes of the connection checked so far. */
    private int checked;

    private boolean v1 = true;
    private boolean v2 = true;
    private boolean failed;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed || !(msg instanceof ByteBuf buf)) {
            if (failed) {
                ReferenceCountUtil.release(msg); // the connection is being closed
            } else {
                ctx.fireChannelRead(msg);
            }
            return;
        }
        for (int i = buf.readerIndex(); i < buf.writerIndex() && !confirmed(); i++, checked++) {
            byte b = buf.getByte(i);
            v1 = v1 && V1[checked] == b;
            v2 = v2 && V2[checked] == b;
            if (!v1 && !v2) {
                failed = true;
                buf.release();
                ctx.fireExceptionCaught(new HAProxyProtocolException(String.format(
                        Locale.ROOT,
                        "byte %d (0x%02x) starts neither \"PROXY \" (v1) nor the v2 signature",
                        checked + 1,
                        b & 0xff)));
                return;
            }
        }
        if (confirmed()) {
            ctx.pipeline().remove(this); // the decoder takes it from here
        }
        ctx.fireChannelRead(buf);
    }

    /** Whether the start of a v1 header or the whole v2 signature has arrived. */
    private boolean confirmed() {
        return (v1 && checked == V1.length) || (v2 && checked == V2.length);
    }
}
