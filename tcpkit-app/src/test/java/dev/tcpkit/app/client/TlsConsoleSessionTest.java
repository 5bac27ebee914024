package dev.tcpkit.app.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.security.KeyFiles;
import dev.tcpkit.security.TlsContexts;
import dev.tcpkit.service.Service;
import dev.tcpkit.testing.TestPki;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code tcpkit connect --tls} over real loopback sockets against tcpkit's own TLS server: verification of the
 * chain and the host name, {@code --insecure}, client certificates, and the one-line reasons for each failure, with
 * each provider on the client's side.
 */
@Timeout(60)
final class TlsConsoleSessionTest {
    private static final TestPki PKI = TestPki.get();
    private static final InputStream NO_INPUT = InputStream.nullInputStream();

    @TempDir
    Path dir;

    private TestPki.PemPaths pem;
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void writeCertificates() {
        pem = PKI.writeTo(dir);
    }

    @AfterEach
    void stopPeers() {
        pool.shutdownNow();
    }

    @ParameterizedTest
    @CsvSource({"OPENSSL, OPENSSL", "OPENSSL, JDK", "JDK, OPENSSL", "JDK, JDK"})
    void echoesWithEachProviderOnEitherSideVerifyingTheChainAndTheHost(TlsProvider client, TlsProvider server)
            throws Exception {
        assumeOpenSslIfNamed(client);
        assumeOpenSslIfNamed(server);
        try (TcpServer echo = start(serverTls(pem.serverChain(), pem.serverKey(), null, server), Services.echo())) {
            SslContext tls = TlsContexts.client(pem.root(), false, null, client);
            assertThat(run(scripted(echo.port(), tls, "over tls"), NO_INPUT)).isEqualTo(bytes("over tls"));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void halfClosesAtTheEndOfStdinAndStillGetsEverythingEchoed(TlsProvider client) throws Exception {
        assumeOpenSslIfNamed(client);
        byte[] input = new byte[100_000];
        new java.util.SplittableRandom(7).nextBytes(input);
        try (TcpServer echo =
                start(serverTls(pem.serverChain(), pem.serverKey(), null, TlsProvider.AUTO), Services.echo())) {
            SslContext tls = TlsContexts.client(pem.root(), false, null, client);
            assertThat(run(interactive(echo.port(), tls), new ByteArrayInputStream(input)))
                    .isEqualTo(input);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void refusesAServerItsCaDidNotIssue(TlsProvider client) throws Exception {
        assertHandshakeFails(client, pem.serverChain(), pem.serverKey(), pem.otherRoot(), "certificate not trusted");
    }

    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void refusesACertificateForAnotherHost(TlsProvider client) throws Exception {
        assertHandshakeFails(
                client, pem.otherHostChain(), pem.otherHostKey(), pem.root(), "certificate is for another host name");
    }

    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void refusesAnExpiredCertificate(TlsProvider client) throws Exception {
        assertHandshakeFails(client, pem.expiredChain(), pem.expiredKey(), pem.root(), "certificate expired");
    }

    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void refusesASelfSignedServerUnlessInsecure(TlsProvider client) throws Exception {
        assumeOpenSslIfNamed(client);
        SslContext selfSigned = TlsContexts.selfSignedServer(List.of(), null, TlsProvider.AUTO);
        try (TcpServer echo = start(selfSigned, Services.echo())) {
            SslContext verifying = TlsContexts.client(null, false, null, client);
            assertThatThrownBy(() -> run(scripted(echo.port(), verifying, "x"), NO_INPUT))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessage("TLS handshake with 127.0.0.1:" + echo.port() + " failed: certificate not trusted");
            SslContext insecure = TlsContexts.client(null, true, null, client);
            assertThat(run(scripted(echo.port(), insecure, "anyway"), NO_INPUT)).isEqualTo(bytes("anyway"));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void presentsItsClientCertificateWhenTheServerRequiresOne(TlsProvider client) throws Exception {
        assumeOpenSslIfNamed(client);
        SslContext requiring = serverTls(pem.serverChain(), pem.serverKey(), pem.root(), TlsProvider.AUTO);
        try (TcpServer echo = start(requiring, Services.echo())) {
            KeyFiles identity = new KeyFiles(pem.clientChain(), pem.clientKey());
            SslContext withCertificate = TlsContexts.client(pem.root(), false, identity, client);
            assertThat(run(scripted(echo.port(), withCertificate, "it's me"), NO_INPUT))
                    .isEqualTo(bytes("it's me"));

            SslContext without = TlsContexts.client(pem.root(), false, null, client);
            // TLS 1.3 completes the client's handshake before the server has looked at the (missing) certificate:
            // the refusal arrives with the first read.
            assertThatThrownBy(() -> run(scripted(echo.port(), without, "who?"), NO_INPUT))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessageEndingWith(
                            "127.0.0.1:" + echo.port() + " lost: the server requires a client certificate");
        }
    }

    @Test
    void saysWhenTheServerDoesNotSpeakTls() throws Exception {
        StringWriter serverStdout = new StringWriter();
        try (TcpServer plain = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .service(Services.reply()
                        .banner("220 plain text here\r\n")
                        .stdout(serverStdout)
                        .build())
                .start()) {
            SslContext tls = TlsContexts.client(pem.root(), false, null, TlsProvider.AUTO);
            assertThatThrownBy(() -> run(scripted(plain.port(), tls, "x"), NO_INPUT))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessage(
                            "TLS handshake with 127.0.0.1:" + plain.port() + " failed: not TLS (plaintext or garbage)");
        }
    }

    /**
     * A plaintext echo server does not speak first: it sends the client's own hello back, a well-formed TLS record,
     * which OpenSSL reports as {@code UNEXPECTED_MESSAGE} and the JDK as an unexpected {@code client_hello}.
     */
    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void saysNotTlsForAPlaintextServerThatEchoesTheHelloBack(TlsProvider client) throws Exception {
        assumeOpenSslIfNamed(client);
        try (TcpServer plain = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .service(Services.echo())
                .start()) {
            SslContext tls = TlsContexts.client(pem.root(), false, null, client);
            assertThatThrownBy(() -> run(scripted(plain.port(), tls, "x"), NO_INPUT))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessage(
                            "TLS handshake with 127.0.0.1:" + plain.port() + " failed: not TLS (plaintext or garbage)");
        }
    }

    @Test
    void givesUpOnAServerThatNeverAnswersTheHandshake() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(10_000);
            Callable<Long> readAll = () -> {
                try (Socket s = listener.accept()) {
                    return s.getInputStream().transferTo(OutputStream.nullOutputStream());
                }
            };
            Future<Long> silent = pool.submit(readAll);
            SslContext tls = TlsContexts.client(pem.root(), false, null, TlsProvider.AUTO);
            ClientConfig config = new ClientConfig(
                            "127.0.0.1",
                            listener.getLocalPort(),
                            null,
                            UTF_8,
                            List.of("x"),
                            false,
                            Duration.ofMillis(300))
                    .withTls(tls);
            assertThatThrownBy(() -> run(config, NO_INPUT))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessage("TLS handshake with 127.0.0.1:" + listener.getLocalPort()
                            + " failed: timed out after 300 ms");
            assertThat(silent.get(10, TimeUnit.SECONDS)).isPositive(); // it did get a client hello
        }
    }

    // --- Fixtures ---

    private void assertHandshakeFails(TlsProvider client, Path chain, Path key, Path trusted, String reason)
            throws Exception {
        assumeOpenSslIfNamed(client);
        try (TcpServer echo = start(serverTls(chain, key, null, TlsProvider.AUTO), Services.echo())) {
            SslContext tls = TlsContexts.client(trusted, false, null, client);
            assertThatThrownBy(() -> run(scripted(echo.port(), tls, "x"), NO_INPUT))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessage("TLS handshake with 127.0.0.1:" + echo.port() + " failed: " + reason);
        }
    }

    private static void assumeOpenSslIfNamed(TlsProvider provider) {
        assumeThat(provider != TlsProvider.OPENSSL || OpenSsl.isAvailable())
                .as("OpenSSL loads here")
                .isTrue();
    }

    private static SslContext serverTls(Path chain, Path key, @Nullable Path clientCa, TlsProvider provider)
            throws IOException {
        return TlsContexts.server(new KeyFiles(chain, key), clientCa, provider);
    }

    private static TcpServer start(SslContext tls, Service service) throws IOException {
        return TcpServer.builder()
                .bind("127.0.0.1", 0)
                .tls(tls)
                .service(service)
                .start();
    }

    private static ClientConfig scripted(int port, SslContext tls, String... sends) {
        return new ClientConfig("127.0.0.1", port, null, UTF_8, List.of(sends), false, Duration.ofSeconds(5))
                .withTls(tls);
    }

    private static ClientConfig interactive(int port, SslContext tls) {
        return new ClientConfig("127.0.0.1", port, null, UTF_8, List.of(), false, Duration.ofSeconds(10)).withTls(tls);
    }

    private static byte[] run(ClientConfig config, InputStream stdin) throws IOException, InterruptedException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try (ConsoleSession session = ConsoleSession.connect(config, stdout)) {
            session.run(stdin);
        }
        return stdout.toByteArray();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }
}
