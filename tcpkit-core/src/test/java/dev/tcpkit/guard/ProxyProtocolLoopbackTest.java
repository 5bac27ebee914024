package dev.tcpkit.guard;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.codec.Framing;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.ProxyHeaders;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --proxy-protocol} over real loopback sockets: the test plays HAProxy, sending a header for a client elsewhere
 * and then that client's bytes.
 */
@Timeout(60)
final class ProxyProtocolLoopbackTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final StringWriter stdout = new StringWriter();

    @Test
    void logShowsTheClientAV1HeaderNamesWithTheBytesThatCameWithIt() throws Exception {
        try (TcpServer server = log().start();
                LoopbackClient proxy = LoopbackClient.connect(server.port())) {
            proxy.send(concat(ProxyHeaders.v1("203.0.113.7", 56324), "hello\n".getBytes(UTF_8)));
            proxy.send("second line\n", UTF_8);
            assertThat(new String(proxy.readExactly(6), UTF_8)).isEqualTo("ok\nok\n");
        }
        assertThat(stdout.toString().lines())
                .satisfiesExactly(
                        l -> assertThat(l).endsWith(" 203.0.113.7:56324 >>> hello"),
                        l -> assertThat(l).endsWith(" 203.0.113.7:56324 >>> second line"));
    }

    @Test
    void logShowsTheIpv6ClientAV2HeaderNames() throws Exception {
        try (TcpServer server = log().start();
                LoopbackClient proxy = LoopbackClient.connect(server.port())) {
            proxy.send(ProxyHeaders.v2("2001:db8::7", 40000));
            proxy.send("over v2\n", UTF_8);
            assertThat(new String(proxy.readExactly(3), UTF_8)).isEqualTo("ok\n");
        }
        assertThat(stdout.toString()).endsWith(" [2001:db8::7]:40000 >>> over v2\n");
    }

    @Test
    void aLocalHeaderLeavesTheProxyAsTheClient() throws Exception {
        int proxyPort;
        try (TcpServer server = log().start();
                LoopbackClient proxy = LoopbackClient.connect(server.port())) {
            proxyPort = proxy.socket().getLocalPort();
            proxy.send(ProxyHeaders.v2Local());
            proxy.send("health check\n", UTF_8);
            assertThat(new String(proxy.readExactly(3), UTF_8)).isEqualTo("ok\n");
        }
        assertThat(stdout.toString()).endsWith(" 127.0.0.1:" + proxyPort + " >>> health check\n");
    }

    @Test
    void accessRulesCheckTheClientTheHeaderNamesAndItNeverReceivesAByte() throws Exception {
        try (LogCapture captured = LogCapture.of("dev.tcpkit.guard");
                TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .proxyProtocol(true)
                        .allow("203.0.113.0/24") // the proxy, 127.0.0.1, is not in it: only clients are checked
                        .deny("203.0.113.66")
                        .service(Services.reply()
                                .banner("welcome")
                                .stdout(stdout)
                                .build())
                        .start()) {
            try (LoopbackClient proxy = LoopbackClient.connect(server.port())) {
                proxy.send(ProxyHeaders.v1("203.0.113.7", 1111));
                assertThat(new String(proxy.readExactly(7), UTF_8)).isEqualTo("welcome");
            }
            try (LoopbackClient proxy = LoopbackClient.connect(server.port())) {
                proxy.send(ProxyHeaders.v1("203.0.113.66", 2222));
                assertThat(proxy.readUntilClosedOrReset())
                        .as("bytes sent to a denied client")
                        .isEmpty();
                assertThat(captured.messages())
                        .contains("denied 203.0.113.66:2222 via 127.0.0.1:"
                                + proxy.socket().getLocalPort() + ": matches --deny 203.0.113.66");
            }
            try (LoopbackClient proxy = LoopbackClient.connect(server.port())) {
                proxy.send(ProxyHeaders.v2("198.51.100.1", 3333));
                assertThat(proxy.readUntilClosedOrReset()).isEmpty();
            }
            assertThat(server.counters().accepted()).isOne();
            assertThat(server.counters().denied()).isEqualTo(2);
        }
    }

    @Test
    void perIpLimitsCountTheClientsTheHeadersName() throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .proxyProtocol(true)
                        .maxConnectionsPerIp(1)
                        .service(Services.echo())
                        .start();
                LoopbackClient a = LoopbackClient.connect(server.port());
                LoopbackClient b = LoopbackClient.connect(server.port());
                LoopbackClient a2 = LoopbackClient.connect(server.port())) {
            a.send(concat(ProxyHeaders.v1("192.0.2.1", 1000), "a".getBytes(US_ASCII)));
            assertThat(a.readExactly(1)).containsExactly('a');
            b.send(concat(ProxyHeaders.v1("192.0.2.2", 1000), "b".getBytes(US_ASCII)));
            assertThat(b.readExactly(1)).containsExactly('b');
            a2.send(ProxyHeaders.v1("192.0.2.1", 1001));
            assertThat(a2.readUntilClosedOrReset())
                    .as("a second connection for 192.0.2.1")
                    .isEmpty();
            assertThat(server.counters().refused()).isOne();
        }
    }

    @Test
    void aPeerThatIsNotATrustedProxyIsDeniedBeforeItsHeaderIsRead() throws Exception {
        try (LogCapture captured = LogCapture.of("dev.tcpkit.guard");
                TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .proxyProtocol(true)
                        .proxyFrom("127.0.0.1")
                        .service(Services.echo())
                        .start();
                LoopbackClient stranger = LoopbackClient.connectFrom("127.0.0.2", server.port())) {
            assertThat(stranger.readUntilClosedOrReset()).isEmpty();
            assertThat(captured.messages())
                    .containsExactly("denied 127.0.0.2:" + stranger.socket().getLocalPort()
                            + ": not a trusted proxy (--proxy-from)");
            assertThat(server.counters().denied()).isOne();
        }
    }

    @Test
    void aConnectionWithoutAHeaderIsClosedWithALogLineAndOthersAreServed() throws Exception {
        try (LogCapture captured = LogCapture.of("dev.tcpkit.guard");
                TcpServer server = log().start();
                LoopbackClient good = LoopbackClient.connect(server.port())) {
            good.send(ProxyHeaders.v1("192.0.2.1", 1000));
            try (LoopbackClient plain = LoopbackClient.connect(server.port())) {
                plain.send("GET / HTTP/1.0\r\n\r\n", US_ASCII);
                assertThat(plain.readUntilClosedOrReset()).isEmpty();
            }
            try (LoopbackClient garbage = LoopbackClient.connect(server.port())) {
                garbage.send("PROXY TCP4 999.1.1.1 127.0.0.1 1 2\r\n", US_ASCII);
                assertThat(garbage.readUntilClosedOrReset()).isEmpty();
            }
            good.send("still here\n", UTF_8);
            assertThat(new String(good.readExactly(3), UTF_8)).isEqualTo("ok\n");
            await().atMost(WAIT).until(() -> server.counters().denied() == 2);
            assertThat(captured.messagesStartingWith("denied "))
                    .hasSize(1) // the second came within the same second: counted, not logged
                    .allMatch(l -> l.contains(": malformed PROXY header: "));
        }
        assertThat(stdout.toString()).endsWith(" 192.0.2.1:1000 >>> still here\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage\r\n", "G", "PROXZ", "PROXY\t", "\r\n\r\n\0\r\nQUIX"})
    void bytesThatCannotStartAHeaderAreDeniedAtOnceWithoutWaitingForTheTimeout(String start) throws Exception {
        try (LogCapture captured = LogCapture.of("dev.tcpkit.guard");
                TcpServer server = log().start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send(start, US_ASCII); // and stays connected, as a client waiting for an answer would
            client.readTimeout(Duration.ofSeconds(2)); // well before the 5 s header timeout
            assertThat(client.readUntilClosedOrReset()).isEmpty();
            await().atMost(WAIT).until(() -> server.counters().denied() == 1);
            assertThat(captured.messages())
                    .singleElement()
                    .satisfies(l -> assertThat(l)
                            .startsWith(
                                    "denied 127.0.0.1:" + client.socket().getLocalPort() + ": malformed PROXY header: ")
                            .doesNotContain("left before", "within"));
        }
    }

    @Test
    void aV1HeaderWithAnUnknownProtocolIsDeniedInTheProtocolsWordsNotNettysClassNames() throws Exception {
        try (LogCapture captured = LogCapture.of("dev.tcpkit.guard");
                TcpServer server = log().start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("PROXY garbage\r\n", US_ASCII);
            assertThat(client.readUntilClosedOrReset()).isEmpty();
            await().atMost(WAIT).until(() -> server.counters().denied() == 1);
            assertThat(captured.messages())
                    .containsExactly("denied 127.0.0.1:" + client.socket().getLocalPort()
                            + ": malformed PROXY header: unknown word 'garbage'");
        }
    }

    @Test
    void aHeaderThatArrivesOneByteAtATimeIsStillAccepted() throws Exception {
        try (TcpServer server = log().start()) {
            for (byte[] header : new byte[][] {ProxyHeaders.v1("192.0.2.5", 5), ProxyHeaders.v2("192.0.2.6", 6)}) {
                try (LoopbackClient proxy = LoopbackClient.connect(server.port())) {
                    for (byte b : header) {
                        proxy.send(new byte[] {b});
                    }
                    proxy.send("one by one\n", UTF_8);
                    assertThat(new String(proxy.readExactly(3), UTF_8)).isEqualTo("ok\n");
                }
            }
            assertThat(server.counters().denied()).isZero();
        }
    }

    @Test
    void aSilentConnectionIsClosedWhenTheHeaderTimeoutPasses() throws Exception {
        try (LogCapture captured = LogCapture.of("dev.tcpkit.guard");
                TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .proxyProtocol(true)
                        .proxyHeaderTimeout(Duration.ofMillis(300))
                        .maxConnections(1)
                        .service(Services.echo())
                        .start()) {
            try (LoopbackClient silent = LoopbackClient.connect(server.port())) {
                assertThat(silent.readUntilClosedOrReset()).isEmpty();
                assertThat(captured.messages())
                        .containsExactly("denied 127.0.0.1:" + silent.socket().getLocalPort()
                                + ": no PROXY header within 300ms");
            }
            // Its slot came free: the one connection allowed is served.
            await().atMost(WAIT).until(() -> server.openConnections() == 0);
            try (LoopbackClient next = LoopbackClient.connect(server.port())) {
                next.send(concat(ProxyHeaders.v1("192.0.2.9", 9), "x".getBytes(US_ASCII)));
                assertThat(next.readExactly(1)).containsExactly('x');
            }
        }
    }

    private TcpServer.Builder log() throws IOException {
        return TcpServer.builder()
                .bind("127.0.0.1", 0)
                .proxyProtocol(true)
                .service(Services.log()
                        .framing(Framing.LINE)
                        .reply("ok\n")
                        .stdout(stdout)
                        .build());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
