package dev.tcpkit.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --idle-timeout} over real sockets: what counts as activity. */
@Timeout(60)
final class IdleTimeoutLoopbackTest {
    private static final int BLOB = 4 << 20;

    /**
     * The server sends 4 MiB at once and reads nothing; the client takes it in small bites, slower than the timeout
     * would allow if only reads and writes by the service counted. Output draining to the client is activity.
     */
    @Test
    void aSlowReaderOfALongAnswerIsNotCutWhileTheAnswerDrains() throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .idleTimeout(Duration.ofMillis(300))
                        .service(Services.handler("blob", SendsABlobAndCloses::new))
                        .start();
                Socket client = new Socket()) {
            client.setReceiveBufferSize(16 * 1024);
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()));
            InputStream in = client.getInputStream();
            byte[] bite = new byte[64 * 1024];
            long received = 0;
            long started = System.nanoTime();
            for (int n; (n = in.read(bite)) >= 0; ) {
                received += n;
                Thread.sleep(5);
            }
            assertThat(received).isEqualTo(BLOB);
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .as("the drain outlasted the timeout, else this proves nothing")
                    .isGreaterThan(Duration.ofMillis(600));
            assertThat(server.counters().cut()).isZero();
        }
    }

    private static final class SendsABlobAndCloses extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // A small kernel buffer keeps the answer in the server's outbound buffer, where the drain can be seen;
            // what the kernel has taken counts as written (docs/RELIABILITY.md, "Idle means idle at the server").
            ctx.channel().config().setOption(ChannelOption.SO_SNDBUF, 16 * 1024);
            ctx.writeAndFlush(Unpooled.wrappedBuffer(new byte[BLOB])).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
