package dev.tcpkit.app.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.options.Transport;
import dev.tcpkit.testing.LoopbackListener;
import dev.tcpkit.transport.Bootstraps;
import dev.tcpkit.transport.IoSupport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
final class ProxyTunnelTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Test
    void theHandlersAfterTheTunnelNeverSeeAConnectionTheProxyDropped() throws Exception {
        IoSupport io = IoSupport.resolve(Transport.AUTO);
        EventLoopGroup group = io.newGroup(1, new DefaultThreadFactory("proxy-test", true));
        try (ServerSocket proxySocket = LoopbackListener.open()) {
            ProxyUrl proxy = ProxyUrl.parse("socks5://127.0.0.1:" + proxySocket.getLocalPort(), null)
                    .resolved();
            List<String> seen = new CopyOnWriteArrayList<>();
            Bootstrap bootstrap = ProxyTunnel.passingNamesOn(Bootstraps.client(io, group, TIMEOUT)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ProxyTunnel.addTo(ch, proxy, TIMEOUT);
                            ch.pipeline().addLast(new Recorder(seen));
                        }
                    }));
            ChannelFuture tcp = bootstrap.connect(InetSocketAddress.createUnresolved("localhost", 7));
            Future<Channel> open = ProxyTunnel.open(tcp);
            // The "proxy" takes the greeting and hangs up without a word.
            try (Socket accepted = proxySocket.accept()) {
                assertThat(accepted.getInputStream().read()).as("SOCKS version").isEqualTo(5);
            }

            assertThat(open.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(open.isSuccess()).isFalse();
            assertThat(ProxyTunnel.failure(proxy, "localhost:7", open.cause(), TIMEOUT))
                    .isEqualTo("proxy socks5://127.0.0.1:" + proxySocket.getLocalPort()
                            + " closed the connection before connecting to localhost:7");
            // Once the close has gone through the pipeline (its events are queued before this task): nothing came
            // through, neither active nor the failure nor inactive, as if that connection had never been made.
            assertThat(tcp.channel().closeFuture().await(10, TimeUnit.SECONDS)).isTrue();
            tcp.channel().eventLoop().submit(() -> {}).await(10, TimeUnit.SECONDS);
            assertThat(seen).isEmpty();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aProxyThatCannotBeReachedIsNamedWithoutItsCredentials() {
        ProxyUrl proxy = ProxyUrl.parse("http://bob:hunter2@127.0.0.1:3128", null);
        assertThat(ProxyTunnel.failure(proxy, "example.org:443", new ConnectException("Connection refused"), TIMEOUT))
                .isEqualTo("cannot reach proxy http://127.0.0.1:3128: connection refused");
    }

    /** Writes down which connection events reach the end of the pipeline. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        private final List<String> seen;

        Recorder(List<String> seen) {
            this.seen = seen;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            seen.add("active");
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            seen.add("inactive");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            seen.add("exception " + cause);
        }
    }
}
