package dev.tcpkit.service.forward;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.security.KeyFiles;
import dev.tcpkit.security.TlsContexts;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.LoopbackListener;
import dev.tcpkit.testing.TestPki;
import dev.tcpkit.testing.TlsClient;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The forward service with TLS on either side, over real loopback sockets: terminating (TLS client, plain upstream),
 * originating (plain client, TLS upstream), re-encrypting, with a client certificate, and the SNI the upstream sees.
 * The upstreams are the JDK's own TLS server, independent of tcpkit's code.
 */
@Timeout(60)
final class ForwardTlsTest {
    private static final TestPki PKI = TestPki.get();
    private static final int MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private TestPki.PemPaths pem;
    private ExecutorService pool;

    @BeforeEach
    void setUp() {
        pem = PKI.writeTo(dir);
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void terminatesTlsInFrontOfAPlainUpstreamPassingAMebibyteEachWayExactly() throws Exception {
        byte[] up = random(1);
        byte[] down = random(2);
        SslContext serverTls =
                TlsContexts.server(new KeyFiles(pem.serverChain(), pem.serverKey()), null, TlsProvider.AUTO);
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = start(serverTls, Services.forward().to("127.0.0.1", upstream.getLocalPort()));
                TlsClient client = TlsClient.connect(server.port(), PKI.root, null)) {
            client.socket().setSoTimeout(20_000);
            Future<byte[]> atUpstream = pool.submit(() -> {
                try (Socket s = upstream.accept()) {
                    s.setSoTimeout(20_000);
                    Future<?> sent = pool.submit(() -> {
                        s.getOutputStream().write(down);
                        s.getOutputStream().flush();
                        return null;
                    });
                    byte[] got = s.getInputStream().readNBytes(MIB);
                    sent.get(20, TimeUnit.SECONDS);
                    return got;
                }
            });
            Future<?> sent = pool.submit(() -> {
                client.send(up);
                return null;
            });
            byte[] atClient = client.readExactly(MIB);
            sent.get(20, TimeUnit.SECONDS);
            assertThat(Arrays.equals(atUpstream.get(20, TimeUnit.SECONDS), up))
                    .as("upstream got the client's 1 MiB")
                    .isTrue();
            assertThat(Arrays.equals(atClient, down))
                    .as("client got the upstream's 1 MiB")
                    .isTrue();
        }
    }

    // The upstream's half-close reaches the TLS client as a close_notify (then the TCP half-close): the end of the
    // stream, not a truncation; the client may still send.
    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void terminatingPassesAnUpstreamHalfCloseAsCloseNotify(TlsProvider provider) throws Exception {
        assumeThat(provider != TlsProvider.OPENSSL || OpenSsl.isAvailable()).isTrue();
        SslContext serverTls = TlsContexts.server(new KeyFiles(pem.serverChain(), pem.serverKey()), null, provider);
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = start(serverTls, Services.forward().to("127.0.0.1", upstream.getLocalPort()));
                TlsClient client = TlsClient.connect(server.port(), PKI.root, null)) {
            Future<String> atUpstream = pool.submit(() -> {
                try (Socket s = upstream.accept()) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("banner".getBytes(UTF_8));
                    s.shutdownOutput();
                    return new String(s.getInputStream().readAllBytes(), UTF_8);
                }
            });
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("banner");
            client.send("after the banner".getBytes(UTF_8));
            client.shutdownOutput();
            assertThat(atUpstream.get(10, TimeUnit.SECONDS)).isEqualTo("after the banner");
        }
    }

    // The client's half-close becomes the upstream's close_notify and TCP half-close: the JDK upstream reads the end
    // of input, and answers after it.
    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void originatesTlsToAnUpstreamTrustedThroughTheCaAndPassesAHalfClose(TlsProvider provider) throws Exception {
        assumeThat(provider != TlsProvider.OPENSSL || OpenSsl.isAvailable()).isTrue();
        try (TlsUpstream upstream = TlsUpstream.start(PKI.server, null);
                TcpServer server = start(
                        null,
                        Services.forward()
                                .to("127.0.0.1", upstream.port())
                                .upstreamTls(TlsContexts.client(pem.root(), false, null, provider)));
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<String> atUpstream = pool.submit(upstream.serveOne(ForwardTlsTest::answerAfterEnd));
            client.send("question", UTF_8);
            client.shutdownOutput();
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("answer to question");
            assertThat(atUpstream.get(10, TimeUnit.SECONDS)).isEqualTo("question");
        }
    }

    @Test
    void anUpstreamWhoseCertificateIsNotTrustedIsAFailedUpstreamNamedWithTheReason() throws Exception {
        try (LogCapture log = LogCapture.of("dev.tcpkit.service.forward");
                TlsUpstream upstream = TlsUpstream.start(PKI.server, null);
                TcpServer server = start(
                        null,
                        Services.forward()
                                .to("127.0.0.1", upstream.port())
                                .upstreamTls(TlsContexts.client(pem.otherRoot(), false, null, TlsProvider.AUTO)));
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<String> atUpstream = pool.submit(upstream.serveOne(ForwardTlsTest::answerAfterEnd));
            assertThat(client.readUntilClosedOrReset()).isEmpty();
            assertThat(atUpstream.get(10, TimeUnit.SECONDS)).startsWith("handshake failed");
            List<String> lines = awaitLines(log);
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0)).contains("127.0.0.1:" + upstream.port() + " (tls: certificate not trusted)");
        }
    }

    // SIGHUP's library half: the upstream context is made again from its source, for the connections made after.
    @Test
    void aReloadMakesTheUpstreamContextAgainForNewConnections() throws Exception {
        Path ca = dir.resolve("upstream-ca.pem");
        Files.copy(pem.otherRoot(), ca);
        try (TlsUpstream upstream = TlsUpstream.start(PKI.server, null);
                TcpServer server = start(
                        null,
                        Services.forward()
                                .to("127.0.0.1", upstream.port())
                                .retryAfter(Duration.ZERO)
                                .upstreamTls(() -> TlsContexts.client(ca, false, null, TlsProvider.AUTO)))) {
            Future<String> refused = pool.submit(upstream.serveOne(ForwardTlsTest::answerAfterEnd));
            try (LoopbackClient client = LoopbackClient.connect(server.port())) {
                assertThat(client.readUntilClosedOrReset()).isEmpty();
            }
            assertThat(refused.get(10, TimeUnit.SECONDS)).startsWith("handshake failed");

            Files.copy(pem.root(), ca, StandardCopyOption.REPLACE_EXISTING);
            assertThat(server.reload()).contains("upstream tls");

            Future<String> served = pool.submit(upstream.serveOne(ForwardTlsTest::answerAfterEnd));
            try (LoopbackClient client = LoopbackClient.connect(server.port())) {
                client.send("question", UTF_8);
                client.shutdownOutput();
                assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("answer to question");
            }
            assertThat(served.get(10, TimeUnit.SECONDS)).isEqualTo("question");
        }
    }

    @Test
    void aFailedHandshakeTriesTheNextUpstream() throws Exception {
        try (ServerSocket plain = LoopbackListener.open();
                TlsUpstream upstream = TlsUpstream.start(PKI.server, null);
                TcpServer server = start(
                        null,
                        Services.forward()
                                .to("127.0.0.1", plain.getLocalPort())
                                .to("127.0.0.1", upstream.port())
                                .upstreamTls(TlsContexts.client(pem.root(), false, null, TlsProvider.AUTO)));
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            // The first "upstream" accepts and closes at once: the handshake fails, the second is tried.
            Future<?> closed = pool.submit(() -> {
                plain.accept().close();
                return null;
            });
            Future<String> atUpstream = pool.submit(upstream.serveOne(ForwardTlsTest::answerAfterEnd));
            client.send("second", UTF_8);
            client.shutdownOutput();
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("answer to second");
            assertThat(atUpstream.get(10, TimeUnit.SECONDS)).isEqualTo("second");
            closed.get(10, TimeUnit.SECONDS);
        }
    }

    // The client's close_notify is a half-close only on the JDK's engine: Netty's OpenSSL engine closes its sending
    // side when it receives one (see TlsEventHandler), so the answer would have no way back.
    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void reEncryptsFromATlsClientToATlsUpstreamPassingAHalfClose(TlsProvider upstreamProvider) throws Exception {
        assumeThat(upstreamProvider != TlsProvider.OPENSSL || OpenSsl.isAvailable())
                .isTrue();
        SslContext serverTls =
                TlsContexts.server(new KeyFiles(pem.serverChain(), pem.serverKey()), null, TlsProvider.JDK);
        try (TlsUpstream upstream = TlsUpstream.start(PKI.server, null);
                TcpServer server = start(
                        serverTls,
                        Services.forward()
                                .to("127.0.0.1", upstream.port())
                                .upstreamTls(TlsContexts.client(pem.root(), false, null, upstreamProvider)))) {
            // Served first: the forward dials, and handshakes with, the upstream as soon as the client connects.
            Future<String> atUpstream = pool.submit(upstream.serveOne(ForwardTlsTest::answerAfterEnd));
            try (TlsClient client = TlsClient.connect(server.port(), PKI.root, null)) {
                client.send("twice encrypted".getBytes(UTF_8));
                client.shutdownOutput();
                assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("answer to twice encrypted");
            }
            assertThat(atUpstream.get(10, TimeUnit.SECONDS)).isEqualTo("twice encrypted");
        }
    }

    @Test
    void presentsTheClientCertificateToAnUpstreamThatRequiresOne() throws Exception {
        KeyFiles identity = new KeyFiles(pem.clientChain(), pem.clientKey());
        try (TlsUpstream upstream = TlsUpstream.start(PKI.server, PKI.root);
                TcpServer server = start(
                        null,
                        Services.forward()
                                .to("127.0.0.1", upstream.port())
                                .upstreamTls(TlsContexts.client(pem.root(), false, identity, TlsProvider.AUTO)));
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<String> atUpstream = pool.submit(
                    upstream.serveOne(s -> s.getSession().getPeerPrincipal().getName() + " sent " + answerAfterEnd(s)));
            client.send("mutual", UTF_8);
            client.shutdownOutput();
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("answer to mutual");
            assertThat(atUpstream.get(10, TimeUnit.SECONDS)).isEqualTo("CN=tcpkit test client sent mutual");
        }
    }

    @Test
    void sendsTheUpstreamsHostNameAsSni() throws Exception {
        try (TlsUpstream upstream = TlsUpstream.start(PKI.server, null);
                TcpServer server = start(
                        null,
                        Services.forward()
                                .to("localhost", upstream.port())
                                .upstreamTls(TlsContexts.client(pem.root(), false, null, TlsProvider.AUTO)));
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            assumeThat(Arrays.stream(InetAddress.getAllByName("localhost")).allMatch(InetAddress::isLoopbackAddress))
                    .isTrue();
            Future<String> atUpstream = pool.submit(upstream.serveOne(ForwardTlsTest::sni));
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("sni localhost");
            assertThat(atUpstream.get(10, TimeUnit.SECONDS)).isEqualTo("sni localhost");
        }
    }

    @Test
    void sendsTheNameGivenAsSniAndVerifiesTheCertificateAgainstIt() throws Exception {
        try (TlsUpstream upstream = TlsUpstream.start(PKI.otherHostServer, null);
                TcpServer server = start(
                        null,
                        Services.forward()
                                .to("127.0.0.1", upstream.port())
                                .upstreamTls(TlsContexts.client(pem.root(), false, null, TlsProvider.AUTO))
                                .upstreamSni("example.invalid"));
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<String> atUpstream = pool.submit(upstream.serveOne(ForwardTlsTest::sni));
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("sni example.invalid");
            assertThat(atUpstream.get(10, TimeUnit.SECONDS)).isEqualTo("sni example.invalid");
        }
    }

    @Test
    void sendsNoSniToAnIpAddressAndVerifiesTheCertificateAgainstTheAddress() throws Exception {
        try (LogCapture log = LogCapture.of("dev.tcpkit.service.forward");
                TlsUpstream upstream = TlsUpstream.start(PKI.otherHostServer, null);
                TcpServer server = start(
                        null,
                        Services.forward()
                                .to("127.0.0.1", upstream.port())
                                .upstreamTls(TlsContexts.client(pem.root(), false, null, TlsProvider.AUTO)));
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<String> atUpstream = pool.submit(upstream.serveOne(ForwardTlsTest::sni));
            assertThat(client.readUntilClosedOrReset()).isEmpty();
            assertThat(atUpstream.get(10, TimeUnit.SECONDS)).startsWith("handshake failed");
            assertThat(awaitLines(log).get(0)).contains("(tls: certificate is for another host name)");
        }
    }

    @Test
    void anIpAddressUpstreamGetsNoSni() throws Exception {
        try (TlsUpstream upstream = TlsUpstream.start(PKI.server, null);
                TcpServer server = start(
                        null,
                        Services.forward()
                                .to("127.0.0.1", upstream.port())
                                .upstreamTls(TlsContexts.client(pem.root(), false, null, TlsProvider.AUTO)));
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<String> atUpstream = pool.submit(upstream.serveOne(ForwardTlsTest::sni));
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("sni none");
            atUpstream.get(10, TimeUnit.SECONDS);
        }
    }

    private static TcpServer start(@Nullable SslContext serverTls, ForwardService.Builder forward) throws Exception {
        return TcpServer.builder()
                .bind("127.0.0.1", 0)
                .tls(serverTls)
                .service(forward.connectTimeout(Duration.ofSeconds(5)).build())
                .start();
    }

    /** Reads until the end of input, then answers and closes. */
    private static String answerAfterEnd(SSLSocket s) throws IOException {
        String request = new String(s.getInputStream().readAllBytes(), UTF_8);
        s.getOutputStream().write(("answer to " + request).getBytes(UTF_8));
        s.getOutputStream().flush();
        return request;
    }

    /** Tells the client the SNI name it sent, and closes. */
    private static String sni(SSLSocket s) throws IOException {
        List<SNIServerName> names = ((ExtendedSSLSession) s.getSession()).getRequestedServerNames();
        String text = "sni " + (names.isEmpty() ? "none" : ((SNIHostName) names.get(0)).getAsciiName());
        s.getOutputStream().write(text.getBytes(UTF_8));
        s.getOutputStream().flush();
        return text;
    }

    private static byte[] random(long seed) {
        byte[] data = new byte[MIB];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    private static List<String> awaitLines(LogCapture log) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (log.messages().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return log.messages();
    }

    /** What a test upstream does with one accepted, handshaken connection. */
    private interface Session {
        String serve(SSLSocket socket) throws IOException;
    }

    /** A TLS server on the JDK's own TLS, on 127.0.0.1, that serves one connection at a time. */
    private static final class TlsUpstream implements AutoCloseable {
        private final SSLServerSocket server;

        private TlsUpstream(SSLServerSocket server) {
            this.server = server;
        }

        /** @param clientCa {@code null}, or the root that client certificates must lead to: one is then required */
        static TlsUpstream start(X509Bundle identity, @Nullable X509Bundle clientCa) throws Exception {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(
                    identity.toKeyManagerFactory().getKeyManagers(),
                    clientCa == null ? null : new TrustManager[] {clientCa.toTrustManager()},
                    new SecureRandom());
            SSLServerSocket server =
                    (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.setSoTimeout(10_000);
            server.setNeedClientAuth(clientCa != null);
            return new TlsUpstream(server);
        }

        int port() {
            return server.getLocalPort();
        }

        /** Accepts one connection and serves it; a failed handshake is answered {@code handshake failed: ...}. */
        Callable<String> serveOne(Session session) {
            return () -> {
                try (SSLSocket s = (SSLSocket) server.accept()) {
                    s.setSoTimeout(10_000);
                    try {
                        s.startHandshake();
                    } catch (IOException e) {
                        return "handshake failed: " + e.getMessage();
                    }
                    return session.serve(s);
                }
            };
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
