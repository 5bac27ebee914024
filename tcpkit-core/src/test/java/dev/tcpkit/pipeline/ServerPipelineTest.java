package dev.tcpkit.pipeline;

import static dev.tcpkit.pipeline.ServerPipeline.IDLE_TIMEOUT;
import static dev.tcpkit.pipeline.ServerPipeline.METER;
import static dev.tcpkit.pipeline.ServerPipeline.PROXY_HEADER;
import static dev.tcpkit.pipeline.ServerPipeline.PROXY_PROTOCOL;
import static dev.tcpkit.pipeline.ServerPipeline.PROXY_SIGNATURE;
import static dev.tcpkit.pipeline.ServerPipeline.TLS;
import static dev.tcpkit.pipeline.ServerPipeline.TLS_EVENTS;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.connection.ConnectionRegistry;
import dev.tcpkit.connection.ServerCounters;
import dev.tcpkit.guard.Guard;
import dev.tcpkit.guard.GuardConfig;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.security.TlsContexts;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.ProxyHeaders;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.ReferenceCountUtil;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The order of an accepted connection's stages, as {@code ServerPipeline} assembles them. */
@Timeout(30)
final class ServerPipelineTest {
    /** The service's one handler, named after it: answers each read with its pipeline's stage names. */
    private static final String SERVICE = "names";

    private static final ChannelInboundHandlerAdapter NAMES = new PipelineNames();

    @Test
    void anAdmittedConnectionRunsIdleTimeoutThenTlsThenMeterThenTheService() throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .proxyProtocol(true)
                        .idleTimeout(Duration.ofMinutes(1))
                        .tls(TlsContexts.selfSignedServer(List.of(), null, TlsProvider.AUTO))
                        .service(Services.handler(SERVICE, () -> NAMES))
                        .start();
                Socket proxy = new Socket()) {
            proxy.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5_000);
            proxy.setSoTimeout(5_000);
            proxy.getOutputStream().write(ProxyHeaders.v1("203.0.113.7", 56324));
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
            try (SSLSocket tls =
                    (SSLSocket) context.getSocketFactory().createSocket(proxy, "127.0.0.1", server.port(), true)) {
                tls.getOutputStream().write('?');
                tls.getOutputStream().flush();
                String names = new BufferedReader(new InputStreamReader(tls.getInputStream(), UTF_8)).readLine();

                assertThat(Arrays.asList(names.split(",")))
                        .as("the PROXY header's stages removed themselves after admitting the client")
                        .startsWith(IDLE_TIMEOUT, TLS, TLS_EVENTS, METER, SERVICE)
                        .doesNotContain(PROXY_SIGNATURE, PROXY_PROTOCOL, PROXY_HEADER);
            }
        }
    }

    @Test
    void aPlainConnectionWithoutLimitsIsMeteredThenServed() throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.handler(SERVICE, () -> NAMES))
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("?", UTF_8);
            String names =
                    new BufferedReader(new InputStreamReader(client.socket().getInputStream(), UTF_8)).readLine();

            assertThat(Arrays.asList(names.split(","))).startsWith(METER, SERVICE);
        }
    }

    @Test
    void aConnectionFromAProxyWaitsBehindTheHeadersThreeStagesAndNothingElse() {
        GuardConfig config = new GuardConfig(
                0, 0, Duration.ZERO, List.of(), List.of(), true, GuardConfig.LOOPBACK, Duration.ofMinutes(1));
        ConnectionRegistry connections = new ConnectionRegistry("names", false, Clock.systemUTC());
        EmbeddedChannel ch = new FromLoopback();
        ch.pipeline()
                .addLast(new ServerPipeline(
                        new Guard(config, new ServerCounters()),
                        null,
                        connections,
                        c -> c.pipeline().addLast(SERVICE, NAMES)));

        assertThat(ch.pipeline().names()).startsWith(PROXY_SIGNATURE, PROXY_PROTOCOL, PROXY_HEADER);
        assertThat(ch.pipeline().names()).doesNotContain(METER, SERVICE);

        ch.writeInbound(Unpooled.wrappedBuffer(ProxyHeaders.v1("203.0.113.7", 56324)));
        assertThat(ch.pipeline().names()).startsWith(METER, SERVICE);
        assertThat(connections.openCount()).isEqualTo(1);
        ch.finishAndReleaseAll();
    }

    /** An embedded channel whose peer is on loopback, as an accepted TCP connection from a local proxy's would be. */
    private static final class FromLoopback extends EmbeddedChannel {
        @Override
        protected SocketAddress remoteAddress0() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
        }
    }

    /** Answers each read with the names of its connection's pipeline, comma-separated, on one line. */
    @Sharable
    private static final class PipelineNames extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            String line = String.join(",", ctx.pipeline().names()) + "\n";
            ctx.writeAndFlush(Unpooled.copiedBuffer(line, UTF_8)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
