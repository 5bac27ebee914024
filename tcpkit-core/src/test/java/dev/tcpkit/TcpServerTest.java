package dev.tcpkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.admin.AdminConfig;
import dev.tcpkit.guard.GuardConfig;
import dev.tcpkit.options.BindFailedException;
import dev.tcpkit.options.Transport;
import dev.tcpkit.security.ServerTls;
import dev.tcpkit.service.Service;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.transport.ServerConfig;
import io.netty.channel.Channel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The library's front door: start on port 0, use, close. */
@Timeout(60)
final class TcpServerTest {

    @Test
    void startsOnAnyFreePortAndSaysWhere() throws Exception {
        try (TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .service(Services.echo())
                .start()) {
            assertThat(server.port()).isPositive();
            assertThat(server.displayAddress()).isEqualTo("127.0.0.1:" + server.port());
            assertThat(server.transport()).isNotEqualTo(Transport.AUTO);
            assertThat(server.service().name()).isEqualTo("echo");
        }
    }

    @Test
    void acceptsAnIpv6LiteralInBracketsAndShowsItOnce() throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("[::1]", 0)
                        .service(Services.echo())
                        .start();
                LoopbackClient client =
                        LoopbackClient.connect(server.localAddress().getAddress(), server.port())) {
            assertThat(server.displayAddress()).isEqualTo("[::1]:" + server.port());
            client.send("v6", UTF_8);
            assertThat(new String(client.readExactly(2), UTF_8)).isEqualTo("v6");
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Transport.class,
            names = {"IO_URING", "EPOLL", "NIO"})
    void echoesOnEveryTransportThisMachineHas(Transport transport) throws Exception {
        assumeThat(transport != Transport.IO_URING || IoUring.isAvailable()).isTrue();
        assumeThat(transport != Transport.EPOLL || Epoll.isAvailable()).isTrue();
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .transport(transport)
                        .service(Services.echo())
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            assertThat(server.transport()).isEqualTo(transport);
            client.send("ping", UTF_8);
            client.shutdownOutput();
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("ping");
        }
    }

    @Test
    void failsWithOneLineWhenThePortIsInUseAndClosesTheService() throws Exception {
        ClosingService service = new ClosingService();
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> TcpServer.builder()
                            .bind("127.0.0.1", port)
                            .service(service)
                            .start())
                    .isInstanceOf(BindFailedException.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + port + ": address already in use");
        }
        assertThat(service.closed).isTrue();
    }

    @Test
    void failsWithOneLineForAnUnknownHost() {
        assertThatThrownBy(() -> TcpServer.builder().bind("nosuch.invalid", 0).start())
                .isInstanceOf(BindFailedException.class)
                .hasMessage("cannot listen on nosuch.invalid:0: unknown host");
    }

    @Test
    void onceServesExactlyOneConnectionThenTerminates() throws Exception {
        TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .once(true)
                .service(Services.echo())
                .start();
        try (LoopbackClient first = LoopbackClient.connect(server.port())) {
            first.send("one", UTF_8);
            assertThat(new String(first.readExactly(3), UTF_8)).isEqualTo("one");
            assertThat(secondConnectionIsTurnedAway(server.port())).isTrue();
            assertThat(server.terminationFuture()).isNotDone();
        }
        server.terminationFuture().get(10, TimeUnit.SECONDS);
        server.close();
        assertThat(server.counters().accepted()).isEqualTo(1);
    }

    private static boolean secondConnectionIsTurnedAway(int port) {
        try (LoopbackClient second = LoopbackClient.connect(port)) {
            second.send("two", UTF_8);
            return second.readToEnd().length == 0;
        } catch (IOException refusedOrReset) {
            return true;
        }
    }

    @Test
    void closeLetsAnOpenExchangeFinishWithinTheDrainTimeout() throws Exception {
        StringWriter stdout = new StringWriter();
        TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .drainTimeout(Duration.ofSeconds(20))
                .service(Services.reply().stdout(stdout).build())
                .start();
        try (LoopbackClient client = LoopbackClient.connect(server.port())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 1);
            CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
            assertThat(closing).isNotDone();
            client.send("still here", UTF_8);
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("Hello from TCP server!");
            closing.get(10, TimeUnit.SECONDS);
        }
        assertThat(stdout.toString()).endsWith(" >>> still here\n");
    }

    @Test
    void closeCutsConnectionsStillOpenAtTheDrainTimeout() throws Exception {
        TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .drainTimeout(Duration.ofMillis(200))
                .service(Services.discard())
                .start();
        try (LoopbackClient idle = LoopbackClient.connect(server.port())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 1);
            server.close();
            assertThat(idle.readToEnd()).isEmpty();
            assertThat(server.openConnections()).isZero();
        }
        server.close(); // idempotent
        assertThat(server.terminationFuture()).isDone();
    }

    @Test
    void refusesNewConnectionsOnceClosed() throws Exception {
        TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .service(Services.echo())
                .start();
        int port = server.port();
        server.close();
        assertThatThrownBy(() -> LoopbackClient.connect(port)).isInstanceOf(IOException.class);
    }

    @Test
    void rejectsBadSettingsWithTheMessageOfTheRecordThatHoldsTheRule() {
        assertThatThrownBy(() -> TcpServer.builder().port(70000))
                .hasMessage(messageOf(() -> ServerConfig.checkPort(70000)));
        assertThatThrownBy(() -> TcpServer.builder().idleTimeout(Duration.ofSeconds(-1)))
                .hasMessage(messageOf(() -> GuardConfig.checkIdleTimeout(Duration.ofSeconds(-1))));
        assertThatThrownBy(() -> TcpServer.builder().admin(null, -1))
                .hasMessage(messageOf(() -> AdminConfig.checkPort(-1)));
        assertThatThrownBy(() -> TcpServer.builder().tlsHandshakeTimeout(Duration.ofSeconds(-1)))
                .hasMessage(messageOf(() -> ServerTls.checkHandshakeTimeout(Duration.ofSeconds(-1))));
    }

    private static String messageOf(Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            return String.valueOf(e.getMessage());
        }
        throw new AssertionError("the check passed");
    }

    private static final class ClosingService implements Service {
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public String name() {
            return "closing";
        }

        @Override
        public void initChannel(Channel channel) {}

        @Override
        public void close(Duration timeout) {
            closed.set(true);
        }
    }
}
