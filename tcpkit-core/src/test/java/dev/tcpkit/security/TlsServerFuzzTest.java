package dev.tcpkit.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.options.TlsSetupException;
import dev.tcpkit.testing.FuzzInput;
import dev.tcpkit.testing.LeakRecorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A TLS server's pipeline as tcpkit builds it ({@link ServerTls}: {@code SslHandler}, then {@code
 * TlsEventHandler}, then the service), fed any bytes in any chunks: nothing the client sends without completing a
 * handshake reaches the service, no exception gets past the TLS handlers, every buffer is released, and the worst
 * that happens is that the connection closes. Both providers, OpenSSL where it loads.
 *
 * <p>Input layout: see {@link FuzzInput}; the low bit of byte 0 picks the provider (0 OpenSSL, 1 JDK). The seeds
 * in {@code TlsServerFuzzTestInputs/} start from real ClientHellos (JDK, TLS 1.3 and 1.2) and plaintext.
 */
final class TlsServerFuzzTest {
    private static final @Nullable ServerTls OPENSSL = OpenSsl.isAvailable() ? server(TlsProvider.OPENSSL) : null;
    private static final ServerTls JDK = server(TlsProvider.JDK);

    @FuzzTest
    void anyBytesFromAClientOnlyEverCloseTheConnection(byte[] bytes) {
        FuzzInput input = FuzzInput.parse(bytes);
        ServerTls tls = (input.parameter() & 1) == 0 && OPENSSL != null ? OPENSSL : JDK;
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(tls.newSslHandler(ch), tls.newEventHandler());
        Service service = new Service();
        ch.pipeline().addLast(service);
        List<ByteBuf> written = new ArrayList<>();
        for (byte[] chunk : input.chunks()) {
            if (!ch.isOpen()) {
                break;
            }
            ByteBuf buf = Unpooled.buffer(chunk.length).writeBytes(chunk); // never the shared empty buffer
            written.add(buf);
            ch.writeInbound(buf); // rethrows whatever reached the end of the pipeline
            releaseAll(ch.outboundMessages()); // the server's answers: handshake records, alerts
        }
        ch.finishAndReleaseAll();

        assertThat(service.reads)
                .as("data reached the service without a handshake")
                .isZero();
        assertThat(service.exceptions)
                .as("exceptions that got past the TLS handlers")
                .isEmpty();
        assertThat(written).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
        assertThat(LeakRecorder.drain()).isEmpty();
    }

    /** The service: without a finished handshake it must see nothing at all, neither data nor an exception. */
    private static final class Service extends ChannelInboundHandlerAdapter {
        int reads;
        final List<Throwable> exceptions = new ArrayList<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            reads++;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
        }
    }

    private static void releaseAll(java.util.Queue<Object> messages) {
        Object m;
        while ((m = messages.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    private static ServerTls server(TlsProvider provider) {
        try {
            return new ServerTls(
                    TlsContexts.selfSignedServer(List.of(), null, provider), ServerTls.DEFAULT_HANDSHAKE_TIMEOUT);
        } catch (TlsSetupException e) {
            throw new IllegalStateException(e);
        }
    }
}
