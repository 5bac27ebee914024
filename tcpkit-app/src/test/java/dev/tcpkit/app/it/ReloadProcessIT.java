package dev.tcpkit.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.testing.TcpkitProcess;
import dev.tcpkit.testing.TestPki;
import dev.tcpkit.testing.TlsClient;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP, as processes: the TLS certificate read again from its files, the {@code --output} file reopened. */
@Timeout(120)
final class ReloadProcessIT {
    @TempDir
    Path dir;

    private TestPki.PemPaths pem;
    private Path cert;
    private Path key;

    @BeforeEach
    void writeCertificates() throws IOException {
        pem = TestPki.get().writeTo(Files.createDirectories(dir.resolve("pki")));
        cert = dir.resolve("cert.pem");
        key = dir.resolve("key.pem");
        install(pem.serverChain(), pem.serverKey());
    }

    /** As a renewal does: the new files take the old ones' names. */
    private void install(Path chain, Path privateKey) throws IOException {
        Files.copy(chain, cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(privateKey, key, StandardCopyOption.REPLACE_EXISTING);
    }

    private TcpkitProcess serveTlsEcho() {
        return TcpkitProcess.start(
                "serve",
                "echo",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--tls-cert",
                cert.toString(),
                "--tls-key",
                key.toString());
    }

    private static String subject(TlsClient client) throws IOException {
        X509Certificate leaf = (X509Certificate) client.socket().getSession().getPeerCertificates()[0];
        return leaf.getSubjectX500Principal().getName();
    }

    private static void assertEchoes(TlsClient client, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        client.send(bytes);
        assertThat(new String(client.readExactly(bytes.length), StandardCharsets.UTF_8))
                .isEqualTo(text);
    }

    @Test
    void aRenewedCertificateServesNewConnectionsWhileOpenOnesKeepWorking() throws Exception {
        try (TcpkitProcess server = serveTlsEcho()) {
            int port = server.awaitListening();
            try (TlsClient before = TlsClient.connect(port, null, null)) {
                assertEchoes(before, "before");
                assertThat(subject(before)).contains("CN=localhost");
                install(pem.otherHostChain(), pem.otherHostKey());
                server.hangUp();
                server.awaitStderrLine(line -> line.endsWith("reloaded: tls certificate"));
                assertEchoes(before, "still open after the reload");
                try (TlsClient after = TlsClient.connect(port, null, null)) {
                    assertThat(subject(after)).contains("CN=example.invalid");
                    assertEchoes(after, "after");
                }
            }
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test
    void aBrokenKeyKeepsTheOldCertificateAndSaysSoInOneLine() throws Exception {
        try (TcpkitProcess server = serveTlsEcho()) {
            int port = server.awaitListening();
            Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
            server.hangUp();
            String line = server.awaitStderrLine(l -> l.contains("reload failed"));
            assertThat(line).contains("not reloaded: tls certificate (").contains(key.toString());
            try (TlsClient after = TlsClient.connect(port, null, null)) {
                assertThat(subject(after)).contains("CN=localhost");
                assertEchoes(after, "served with the old certificate");
            }
            assertThat(server.stderrLines())
                    .noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception"))
                    .filteredOn(l -> l.contains("reload"))
                    .hasSize(1);
        }
    }

    @Test
    void aRotatedOutputFileIsReopenedAndNoRecordIsLostOrWrittenTwice() throws Exception {
        Path output = dir.resolve("out.jsonl");
        Path rotated = dir.resolve("out.jsonl.1");
        int total = 2000;
        try (TcpkitProcess server = TcpkitProcess.start(
                        "serve",
                        "log",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "0",
                        "--framing",
                        "line",
                        "--output",
                        output.toString());
                Socket client = new Socket(InetAddress.getLoopbackAddress(), server.awaitListening())) {
            OutputStream out = client.getOutputStream();
            // Records keep coming while the file is renamed and the server told: the reopen falls between two of them.
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        out.write(("record " + i + "\n").getBytes(StandardCharsets.UTF_8));
                        if (i % 20 == 19) {
                            out.flush();
                            TimeUnit.MILLISECONDS.sleep(2); // pacing, so that the rotation falls mid-stream
                        }
                    }
                    out.flush();
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitLines(output, 100);
            Files.move(output, rotated);
            server.hangUp();
            server.awaitStderrLine(line -> line.endsWith("reloaded: output file"));
            sent.get(60, TimeUnit.SECONDS);
            client.shutdownOutput();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (lines(rotated) + lines(output) < total && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertThat(lines(rotated))
                    .as("records before the reopen, in the renamed file")
                    .isGreaterThan(0);
            assertThat(lines(output))
                    .as("records after it, in a new file at the path")
                    .isGreaterThan(0);
            assertThat(lines(rotated) + lines(output)).isEqualTo(total);
            assertThat((Files.readString(rotated) + Files.readString(output))
                            .lines()
                            .map(line -> line.replaceAll(".*\"text\":\"(record \\d+)\".*", "$1"))
                            .distinct()
                            .count())
                    .as("each record once")
                    .isEqualTo(total);
        }
    }

    private static void awaitLines(Path file, long atLeast) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (lines(file) < atLeast && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertThat(lines(file)).isGreaterThanOrEqualTo(atLeast);
    }

    private static long lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try (var all = Files.lines(file, StandardCharsets.UTF_8)) {
            return all.count();
        }
    }
}
