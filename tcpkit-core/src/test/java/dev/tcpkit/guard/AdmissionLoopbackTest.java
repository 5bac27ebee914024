package dev.tcpkit.guard;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.LoopbackClient;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection limits and access control over real loopback sockets. Clients play several addresses: on Linux every
 * 127.x.y.z is loopback. A server with a banner shows whether a turned-away client ever received a byte.
 */
@Timeout(60)
final class AdmissionLoopbackTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void oneConnectionOverMaxConnectionsIsClosedAtOnceWhileTheOpenOnesKeepWorking() throws Exception {
        try (LogCapture log = LogCapture.of("dev.tcpkit.guard");
                TcpServer server = echo().maxConnections(2).start();
                LoopbackClient first = LoopbackClient.connect(server.port());
                LoopbackClient second = LoopbackClient.connect(server.port())) {
            assertEchoes(first, "one");
            assertEchoes(second, "two");
            try (LoopbackClient third = LoopbackClient.connect(server.port())) {
                assertThat(third.readUntilClosedOrReset()).isEmpty();
                assertThat(log.messages())
                        .contains(
                                "refused 127.0.0.1:" + third.socket().getLocalPort() + ": --max-connections 2 reached");
            }
            assertThat(server.counters().refused()).isOne();
            assertEchoes(first, "still one");
            assertEchoes(second, "still two");

            first.socket().close();
            await().atMost(WAIT).until(() -> server.openConnections() == 1);
            try (LoopbackClient again = LoopbackClient.connect(server.port())) {
                assertEchoes(again, "a slot came free");
            }
            assertThat(server.counters().accepted()).isEqualTo(3);
        }
    }

    @Test
    void maxConnectionsPerIpCountsEachClientAddressOnItsOwn() throws Exception {
        try (LogCapture log = LogCapture.of("dev.tcpkit.guard");
                TcpServer server = echo().maxConnectionsPerIp(1).start();
                LoopbackClient first = LoopbackClient.connectFrom("127.0.0.1", server.port());
                LoopbackClient other = LoopbackClient.connectFrom("127.0.0.2", server.port())) {
            assertEchoes(first, "from .1");
            assertEchoes(other, "from .2");
            try (LoopbackClient second = LoopbackClient.connectFrom("127.0.0.1", server.port())) {
                assertThat(second.readUntilClosedOrReset()).isEmpty();
                assertThat(log.messages())
                        .contains("refused 127.0.0.1:" + second.socket().getLocalPort()
                                + ": --max-connections-per-ip 1 reached for 127.0.0.1");
            }
            assertEchoes(first, "still served");
            assertThat(server.counters().refused()).isOne();
        }
    }

    @Test
    void aDeniedClientIsClosedBeforeItReceivesAByte() throws Exception {
        try (LogCapture log = LogCapture.of("dev.tcpkit.guard");
                TcpServer server = banner().deny("127.0.0.2").start()) {
            try (LoopbackClient denied = LoopbackClient.connectFrom("127.0.0.2", server.port())) {
                assertThat(denied.readUntilClosedOrReset())
                        .as("bytes a denied client received")
                        .isEmpty();
                assertThat(log.messages())
                        .containsExactly(
                                "denied 127.0.0.2:" + denied.socket().getLocalPort() + ": matches --deny 127.0.0.2");
            }
            try (LoopbackClient allowed = LoopbackClient.connectFrom("127.0.0.1", server.port())) {
                assertThat(new String(allowed.readExactly(7), UTF_8)).isEqualTo("welcome");
            }
            assertThat(server.counters().denied()).isOne();
            assertThat(server.counters().accepted()).isOne();
        }
    }

    @Test
    void withAnAllowListOnlyItsAddressesGetInAndDenyStillWins() throws Exception {
        try (TcpServer server = banner().allow("127.0.0.0/30").deny("127.0.0.2").start()) {
            assertThat(receivedFrom("127.0.0.1", server)).isEqualTo("welcome");
            assertThat(receivedFrom("127.0.0.2", server))
                    .as("denied inside the allowed block")
                    .isEmpty();
            assertThat(receivedFrom("127.0.0.5", server))
                    .as("outside the allowed block")
                    .isEmpty();
            assertThat(server.counters().denied()).isEqualTo(2);
        }
    }

    @Test
    void rulesApplyToIpv6ClientsToo() throws Exception {
        assumeTrue(ipv6LoopbackWorks(), "this machine has ::1");
        InetAddress v6 = NetUtil.LOCALHOST6;
        try (TcpServer onlyV4 = banner().bind("::1", 0).allow("127.0.0.0/8").start();
                TcpServer v6Allowed = banner().bind("::1", 0)
                        .allow("::1/128")
                        .deny("10.0.0.0/8")
                        .start()) {
            try (LoopbackClient client = LoopbackClient.connect(v6, onlyV4.port())) {
                assertThat(client.readUntilClosedOrReset()).isEmpty();
            }
            try (LoopbackClient client = LoopbackClient.connect(v6, v6Allowed.port())) {
                assertThat(new String(client.readExactly(7), UTF_8)).isEqualTo("welcome");
            }
            assertThat(onlyV4.counters().denied()).isOne();
            assertThat(v6Allowed.counters().accepted()).isOne();
        }
    }

    /** A flood of denied connections: every one counted, but the log says so at most once a second. */
    @Test
    void aFloodOfDeniedConnectionsIsLoggedAtMostOnceASecond() throws Exception {
        int flood = 300;
        try (LogCapture log = LogCapture.of("dev.tcpkit.guard");
                TcpServer server = banner().deny("127.0.0.0/8").start()) {
            long started = System.nanoTime();
            List<LoopbackClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < flood; i++) {
                    clients.add(LoopbackClient.connect(server.port()));
                }
                await().atMost(WAIT).until(() -> server.counters().denied() == flood);
            } finally {
                for (LoopbackClient c : clients) {
                    c.close();
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            List<String> lines = log.messagesStartingWith("denied ");
            assertThat(lines).isNotEmpty().hasSizeLessThanOrEqualTo((int) Math.ceil(seconds) + 1);
            assertThat(lines).allMatch(l -> l.contains(": matches --deny 127.0.0.0/8"));
        }
    }

    private static TcpServer.Builder echo() {
        return TcpServer.builder().bind("127.0.0.1", 0).service(Services.echo());
    }

    private static TcpServer.Builder banner() throws IOException {
        return TcpServer.builder()
                .bind("127.0.0.1", 0)
                .service(Services.reply()
                        .banner("welcome")
                        .reply("")
                        .keepOpen(true)
                        .stdout(new java.io.StringWriter())
                        .build());
    }

    private static String receivedFrom(String source, TcpServer server) throws IOException {
        try (LoopbackClient client = LoopbackClient.connectFrom(source, server.port())) {
            client.readTimeout(Duration.ofSeconds(2));
            byte[] got = new byte[0];
            try {
                got = client.socket().getInputStream().readNBytes(7);
            } catch (java.net.SocketException reset) {
                // turned away: nothing received
            }
            return new String(got, UTF_8);
        }
    }

    private static void assertEchoes(LoopbackClient client, String text) throws IOException {
        client.send(text, UTF_8);
        assertThat(new String(client.readExactly(text.getBytes(UTF_8).length), UTF_8))
                .isEqualTo(text);
    }

    private static boolean ipv6LoopbackWorks() {
        try (ServerSocket s = new ServerSocket(0, 1, NetUtil.LOCALHOST6)) {
            return s.getLocalPort() > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
