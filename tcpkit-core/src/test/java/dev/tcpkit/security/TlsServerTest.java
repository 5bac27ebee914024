package dev.tcpkit.security;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.testing.HoldingRelay;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.TestPki;
import dev.tcpkit.testing.TlsClient;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/** A {@link TcpServer} with TLS, over real loopback sockets, against the JDK's own TLS client. */
@Timeout(60)
final class TlsServerTest {
    private static final TestPki PKI = TestPki.get();

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void echoesOverTlsWithEachProviderSendingTheChainToAClientThatTrustsOnlyTheRoot(TlsProvider provider)
            throws Exception {
        assumeThat(provider != TlsProvider.OPENSSL || OpenSsl.isAvailable()).isTrue();
        TestPki.PemPaths pem = PKI.writeTo(dir);
        SslContext tls = TlsContexts.server(new KeyFiles(pem.serverChain(), pem.serverKey()), null, provider);
        try (TcpServer server = start(tls);
                TlsClient client = TlsClient.connect(server.port(), PKI.root, null)) {
            assertThat(server.tlsProvider()).isEqualTo(provider);
            client.send("ping over tls".getBytes(UTF_8));
            assertThat(new String(client.readExactly(13), UTF_8)).isEqualTo("ping over tls");
            client.shutdownOutput();
            assertThat(client.readToEnd()).isEmpty();
        }
    }

    // Sent straight: the data's records and the close_notify arrive split across reads in whatever way.
    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void echoesEverythingSentBeforeTheClientsCloseNotify(TlsProvider provider) throws Exception {
        echoRounds(provider, false);
    }

    // The client's last data and its close_notify arrive in one read (the relay makes sure of it). A TLS engine that
    // closes its sending side on the close_notify (OpenSSL's always) must not lose the echo of that data: it is
    // decrypted record by record (ServerTls) and encrypted after each one (TlsEventHandler's flush) before the
    // close_notify is decrypted.
    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void echoesEverythingThatArrivesTogetherWithTheClientsCloseNotify(TlsProvider provider) throws Exception {
        echoRounds(provider, true);
    }

    /** Rounds of a client sending up to 100 KB, then its close_notify, and reading the echo to the end. */
    private void echoRounds(TlsProvider provider, boolean together) throws Exception {
        assumeThat(provider != TlsProvider.OPENSSL || OpenSsl.isAvailable()).isTrue();
        TestPki.PemPaths pem = PKI.writeTo(dir);
        SslContext tls = TlsContexts.server(new KeyFiles(pem.serverChain(), pem.serverKey()), null, provider);
        SplittableRandom random = new SplittableRandom(11);
        try (TcpServer server = start(tls)) {
            for (int round = 0; round < 12; round++) {
                byte[] input = new byte[1 + random.nextInt(100_000)];
                random.nextBytes(input);
                try (HoldingRelay relay = HoldingRelay.to(server.port());
                        TlsClient client = TlsClient.connect(together ? relay.port() : server.port(), PKI.root, null)) {
                    if (together) {
                        client.send(new byte[] {42}); // its echo proves the handshake is over on both sides
                        assertThat(client.readExactly(1)).containsExactly(42);
                        relay.hold();
                    }
                    client.send(input);
                    client.shutdownOutput();
                    byte[] echoed = client.readToEnd();
                    assertThat(echoed)
                            .as("round %d: %d bytes sent, %d echoed", round, input.length, echoed.length)
                            .isEqualTo(input);
                }
            }
        }
    }

    @Test
    void closesPlaintextWithOneLogLineAndGoesOnServingOthers() throws Exception {
        TestPki.PemPaths pem = PKI.writeTo(dir);
        SslContext tls = TlsContexts.server(new KeyFiles(pem.serverChain(), pem.serverKey()), null, TlsProvider.AUTO);
        try (LogCapture log = LogCapture.of("dev.tcpkit.security");
                TcpServer server = start(tls);
                TlsClient good = TlsClient.connect(server.port(), PKI.root, null)) {
            try (LoopbackClient plain = LoopbackClient.connect(server.port())) {
                plain.send("GET / HTTP/1.0\r\n\r\n", UTF_8);
                plain.readToEnd(); // whatever alert it gets, then the end: not a hang
            }
            good.send("still here".getBytes(UTF_8));
            assertThat(new String(good.readExactly(10), UTF_8)).isEqualTo("still here");
            assertThat(log.lines())
                    .singleElement()
                    .asString()
                    .matches(
                            "INFO closing 127\\.0\\.0\\.1:\\d+: TLS handshake failed: not TLS \\(plaintext or garbage\\)");
        }
    }

    @Test
    void aPlaintextClientLeavesWithTheTlsFailureAsItsOneReason() throws Exception {
        TestPki.PemPaths pem = PKI.writeTo(dir);
        SslContext tls = TlsContexts.server(new KeyFiles(pem.serverChain(), pem.serverKey()), null, TlsProvider.AUTO);
        try (LogCapture log = LogCapture.of("dev.tcpkit.connection");
                TcpServer server = start(tls)) {
            ((Logger) LoggerFactory.getLogger("dev.tcpkit.connection")).setLevel(Level.DEBUG); // echo's events
            try (LoopbackClient plain = LoopbackClient.connect(server.port())) {
                plain.send("GET / HTTP/1.0\r\n\r\n", UTF_8);
                plain.readToEnd();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !departures(log).isEmpty());
            assertThat(departures(log))
                    .singleElement()
                    .asString()
                    .endsWith(": TLS handshake failed: not TLS (plaintext or garbage)");
            assertThat(server.connections().closed(CloseReason.TLS_FAILED)).isOne();
            assertThat(server.connections().closed(CloseReason.CLIENT_CLOSED)).isZero();
        }
    }

    private static List<String> departures(LogCapture log) {
        return log.messages().stream().filter(m -> m.contains(" left after ")).toList();
    }

    @Test
    void logsAFloodOfPlaintextClientsAtMostOnceASecond() throws Exception {
        TestPki.PemPaths pem = PKI.writeTo(dir);
        SslContext tls = TlsContexts.server(new KeyFiles(pem.serverChain(), pem.serverKey()), null, TlsProvider.AUTO);
        int clients = 20;
        try (LogCapture log = LogCapture.of("dev.tcpkit.security");
                TcpServer server = start(tls)) {
            for (int i = 0; i < clients; i++) {
                try (LoopbackClient plain = LoopbackClient.connect(server.port())) {
                    plain.send("hello?\n", UTF_8);
                    plain.readToEnd();
                }
            }
            org.awaitility.Awaitility.await().until(() -> server.openConnections() == 0);
            // Each second of the flood gets one line; twenty clients take far less than twenty seconds.
            assertThat(log.lines()).isNotEmpty().hasSizeLessThan(clients);
            assertThat(log.lines()).allMatch(line -> line.contains("TLS handshake failed: not TLS"));
        }
    }

    @Test
    void closesAClientThatNeverStartsTheHandshake() throws Exception {
        TestPki.PemPaths pem = PKI.writeTo(dir);
        SslContext tls = TlsContexts.server(new KeyFiles(pem.serverChain(), pem.serverKey()), null, TlsProvider.AUTO);
        try (LogCapture log = LogCapture.of("dev.tcpkit.security");
                TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .tls(tls)
                        .tlsHandshakeTimeout(Duration.ofMillis(200))
                        .service(Services.echo())
                        .start();
                LoopbackClient silent = LoopbackClient.connect(server.port())) {
            assertThat(silent.readToEnd()).isEmpty(); // closed by the server, well before the 5 s read timeout
            assertThat(log.lines()).singleElement().asString().endsWith("TLS handshake failed: timed out");
        }
    }

    @Test
    void selfSignedServerIsReachedWithoutVerificationButFailsIt() throws Exception {
        SslContext tls = TlsContexts.selfSignedServer(java.util.List.of(), null, TlsProvider.AUTO);
        try (TcpServer server = start(tls)) {
            try (TlsClient insecure = TlsClient.connect(server.port(), null, null)) {
                insecure.send("hi".getBytes(UTF_8));
                assertThat(new String(insecure.readExactly(2), UTF_8)).isEqualTo("hi");
            }
            assertThatThrownBy(() -> TlsClient.connect(server.port(), PKI.root, null))
                    .isInstanceOf(SSLException.class);
        }
    }

    @Test
    void requiresAClientCertificateFromTheClientCa() throws Exception {
        TestPki.PemPaths pem = PKI.writeTo(dir);
        SslContext tls =
                TlsContexts.server(new KeyFiles(pem.serverChain(), pem.serverKey()), pem.root(), TlsProvider.AUTO);
        try (LogCapture log = LogCapture.of("dev.tcpkit.security");
                TcpServer server = start(tls)) {
            try (TlsClient withCertificate = TlsClient.connect(server.port(), PKI.root, PKI.client)) {
                withCertificate.send("mine".getBytes(UTF_8));
                assertThat(new String(withCertificate.readExactly(4), UTF_8)).isEqualTo("mine");
            }
            assertThat(log.lines()).isEmpty();
            // TLS 1.3: the client's handshake may complete before the server has checked; the refusal comes next.
            assertThatThrownBy(() -> {
                        try (TlsClient without = TlsClient.connect(server.port(), PKI.root, null)) {
                            without.send("nope".getBytes(UTF_8));
                            without.readToEnd();
                        }
                    })
                    .isInstanceOf(SSLException.class);
            org.awaitility.Awaitility.await().until(() -> !log.lines().isEmpty());
            assertThat(log.lines()).singleElement().asString().endsWith("TLS handshake failed: no client certificate");
        }
    }

    private static TcpServer start(SslContext tls) throws Exception {
        return TcpServer.builder()
                .bind("127.0.0.1", 0)
                .tls(tls)
                .service(Services.echo())
                .start();
    }
}
