package dev.tcpkit.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tcpkit.testing.TcpkitProcess;
import dev.tcpkit.testing.TestPki;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the command line, as processes: {@code serve --tls-cert/--tls-key/--tls-self-signed/--tls-client-ca/
 * --tls-provider} and {@code connect --tls/--ca/--insecure/--tls-cert/--tls-key}, against each other and, where the
 * machine has it, against OpenSSL's own {@code s_client} and {@code s_server}.
 */
@Timeout(120)
final class TlsProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(30);
    private static final Pattern TLS_STARTUP = Pattern.compile(
            "tcpkit echo listening on 127\\.0\\.0\\.1:\\d+ \\((io_uring|epoll|nio), TLS (openssl|jdk)\\)");

    @TempDir
    Path dir;

    private TestPki.PemPaths pem;

    @BeforeEach
    void writeCertificates() {
        pem = TestPki.get().writeTo(dir);
    }

    @Test
    void selfSignedServerSaysItSpeaksTlsAndAnInsecureClientGetsItsEcho() throws Exception {
        try (TcpkitProcess server = serveEcho("--tls-self-signed")) {
            int port = server.awaitListening();
            assertThat(server.stderrLines()).singleElement().asString().matches(TLS_STARTUP);
            try (TcpkitProcess insecure = connect(port, "--tls", "--insecure", "--send", "over tls")) {
                assertThat(insecure.awaitExit(EXIT)).isZero();
                assertThat(insecure.stdout()).isEqualTo("over tls");
            }
            try (TcpkitProcess verifying = connect(port, "--tls", "--send", "x")) {
                assertThat(verifying.awaitExit(EXIT)).isOne();
                assertThat(verifying.stderrLines())
                        .containsExactly("TLS handshake with 127.0.0.1:" + port + " failed: certificate not trusted");
                assertThat(verifying.stdout()).isEmpty();
            }
        }
    }

    @Test
    void chainWithClientCertificatesAndTheJdkProvider() throws Exception {
        try (TcpkitProcess server = serveEcho(
                "--tls-cert", path(pem.serverChain()),
                "--tls-key", path(pem.serverKey()),
                "--tls-client-ca", path(pem.root()),
                "--tls-provider", "jdk")) {
            int port = server.awaitListening();
            assertThat(server.stderrLines().get(0)).endsWith(", TLS jdk)");
            try (TcpkitProcess client = connect(
                    port,
                    "--tls",
                    "--ca",
                    path(pem.root()),
                    "--tls-cert",
                    path(pem.clientChain()),
                    "--tls-key",
                    path(pem.clientKey()),
                    "--send",
                    "with my certificate")) {
                assertThat(client.awaitExit(EXIT)).isZero();
                assertThat(client.stdout()).isEqualTo("with my certificate");
            }
            try (TcpkitProcess anonymous = connect(port, "--tls", "--ca", path(pem.root()), "--send", "x")) {
                assertThat(anonymous.awaitExit(EXIT)).isOne();
                assertThat(anonymous.stderrLines())
                        .containsExactly(
                                "connection to 127.0.0.1:" + port + " lost: the server requires a client certificate");
            }
            server.awaitStderrLine(line -> line.endsWith("TLS handshake failed: no client certificate"));
        }
    }

    @Test
    void clientRefusesACertificateForAnotherHostOrFromAnotherCa() throws Exception {
        try (TcpkitProcess server =
                serveEcho("--tls-cert", path(pem.otherHostChain()), "--tls-key", path(pem.otherHostKey()))) {
            int port = server.awaitListening();
            try (TcpkitProcess wrongHost = connect(port, "--tls", "--ca", path(pem.root()), "--send", "x");
                    TcpkitProcess wrongCa = connect(port, "--tls", "--ca", path(pem.otherRoot()), "--send", "x")) {
                assertThat(wrongHost.awaitExit(EXIT)).isOne();
                assertThat(wrongHost.stderrLines())
                        .containsExactly("TLS handshake with 127.0.0.1:" + port
                                + " failed: certificate is for another host name");
                assertThat(wrongCa.awaitExit(EXIT)).isOne();
                assertThat(wrongCa.stderrLines())
                        .containsExactly("TLS handshake with 127.0.0.1:" + port + " failed: certificate not trusted");
            }
        }
    }

    @Test
    void aKeyThatIsNotTheCertificatesIsOneLineAndExitCodeOne() throws Exception {
        try (TcpkitProcess server =
                serveEcho("--tls-cert", path(pem.serverChain()), "--tls-key", path(pem.clientKey()))) {
            assertThat(server.awaitExit(EXIT)).isOne();
            assertThat(server.stderrLines())
                    .containsExactly("TLS private key " + pem.clientKey() + " does not belong to the certificate in "
                            + pem.serverChain());
        }
    }

    @Test
    void openSslClientTalksToTcpkitsServer() throws Exception {
        assumeOpenSslCommand();
        try (TcpkitProcess server =
                        serveEcho("--tls-cert", path(pem.serverChain()), "--tls-key", path(pem.serverKey()));
                TcpkitProcess sClient = startOpenSsl(
                        "s_client",
                        "-connect",
                        "127.0.0.1:" + server.awaitListening(),
                        "-CAfile",
                        path(pem.root()),
                        "-verify_return_error",
                        "-quiet",
                        "-no_ign_eof")) {
            sClient.writeStdin("hello from openssl\n");
            assertThat(sClient.awaitStdoutLine(line -> !line.isEmpty())).isEqualTo("hello from openssl");
            sClient.closeStdin(); // with -no_ign_eof s_client sends close_notify and ends
            assertThat(sClient.awaitExit(EXIT)).isZero();
        }
    }

    @Test
    void tcpkitsClientTalksToOpenSslServer() throws Exception {
        assumeOpenSslCommand();
        Path leaf =
                Files.writeString(dir.resolve("leaf.pem"), TestPki.get().server.getCertificatePEM());
        Path intermediate = Files.writeString(
                dir.resolve("intermediate.pem"), TestPki.get().intermediate.getCertificatePEM());
        try (TcpkitProcess sServer = startOpenSsl(
                "s_server",
                "-accept",
                "127.0.0.1:0",
                "-cert",
                path(leaf),
                "-key",
                path(pem.serverKey()),
                "-cert_chain",
                path(intermediate),
                "-naccept",
                "1",
                "-rev")) {
            String accept = sServer.awaitStdoutLine(line -> line.startsWith("ACCEPT"));
            Matcher port = Pattern.compile("ACCEPT 127\\.0\\.0\\.1:(\\d+)").matcher(accept);
            assertThat(port.matches()).as(accept).isTrue();
            try (TcpkitProcess client =
                    connect(Integer.parseInt(port.group(1)), "--tls", "--ca", path(pem.root()), "--send", "tcpkit\n")) {
                assertThat(client.awaitExit(EXIT)).isZero();
                assertThat(client.stdout()).isEqualTo("tikpct\n");
            }
        }
    }

    private static TcpkitProcess serveEcho(String... tlsOptions) {
        List<String> args = new java.util.ArrayList<>(List.of("serve", "echo", "--host", "127.0.0.1", "--port", "0"));
        args.addAll(List.of(tlsOptions));
        return TcpkitProcess.start(args.toArray(String[]::new));
    }

    private static TcpkitProcess connect(int port, String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("connect", "127.0.0.1", Integer.toString(port)));
        args.addAll(List.of(options));
        return TcpkitProcess.start(args.toArray(String[]::new));
    }

    private static TcpkitProcess startOpenSsl(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        return TcpkitProcess.startCommand("openssl " + args[0], command, Map.of());
    }

    /** CI installs it ({@code .ci/run}); a developer's machine without it skips the interop tests. */
    private static void assumeOpenSslCommand() {
        boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(d -> Files.isExecutable(Path.of(d, "openssl")));
        assumeThat(found).as("the openssl command is installed").isTrue();
    }

    private static String path(Path p) {
        return p.toString();
    }
}
