package dev.tcpkit.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.testing.RequiredProgram;
import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code connect --proxy} and {@code bench --proxy} as processes, through real proxies on loopback: Debian's {@code
 * microsocks} (SOCKS5, with and without a password) and {@code ncat}'s HTTP CONNECT proxy.
 *
 * <p>The proxies close both ways when the client half-closes, so the echo tests use {@code --send}, which waits for
 * the reply, rather than stdin, whose end would race the echo.
 */
@Timeout(120)
final class ProxyProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(30);
    private static final String PASSWORD = "s3cret-Pa55";

    @Test
    void echoesThroughSocks5WithoutAuthentication() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("echo");
                Proxy proxy = Proxy.microsocks()) {
            assertEchoedThrough("socks5://127.0.0.1:" + proxy.port, server, "through socks");
        }
    }

    @Test
    void echoesThroughSocks5WithAPasswordAndRefusesAWrongOneInOneLineThatNeverShowsIt() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("echo");
                Proxy proxy = Proxy.microsocks("-u", "alice", "-P", PASSWORD)) {
            String url = "socks5://alice:" + PASSWORD + "@127.0.0.1:" + proxy.port;
            assertEchoedThrough(url, server, "authenticated");
            String wrong = "socks5://alice:wrong-" + PASSWORD + "@127.0.0.1:" + proxy.port;
            try (TcpkitProcess client = sendThrough(wrong, server, "x")) {
                assertThat(client.awaitExit(EXIT)).isOne();
                assertThat(client.stderrLines())
                        .singleElement()
                        .asString()
                        .matches(authenticationFailed(proxy, server));
                assertThat(client.stdout()).isEmpty();
            }
            // -v adds the stack trace: the credentials are not in it either.
            try (TcpkitProcess client = sendThrough(wrong, server, "x", "-v")) {
                assertThat(client.awaitExit(EXIT)).isOne();
                assertThat(client.stderrLines()).hasSizeGreaterThan(1).noneMatch(line -> line.contains(PASSWORD));
            }
            try (TcpkitProcess client = sendThrough("socks5://127.0.0.1:" + proxy.port, server, "x")) {
                assertThat(client.awaitExit(EXIT)).isOne();
                assertThat(client.stderrLines()).singleElement().asString().contains("authentication methods");
            }
        }
    }

    @Test
    void takesThePasswordFromTheEnvironmentInsteadOfTheCommandLine() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("echo");
                Proxy proxy = Proxy.microsocks("-u", "alice", "-P", PASSWORD);
                TcpkitProcess client = TcpkitProcess.startWithEnv(
                        Map.of("TCPKIT_PROXY_PASSWORD", PASSWORD),
                        connectArgs("socks5://alice@127.0.0.1:" + proxy.port, server, "from the environment"))) {
            assertThat(client.awaitExit(EXIT))
                    .as("stderr: %s", client.stderrLines())
                    .isZero();
            assertThat(client.stdout()).isEqualTo("from the environment");
        }
    }

    @Test
    void socks5hHandsTheNameToTheProxyToLookUp() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("echo");
                Proxy proxy = Proxy.microsocks();
                TcpkitProcess client = TcpkitProcess.start(
                        "connect",
                        "localhost",
                        Integer.toString(server.awaitListening()),
                        "--proxy",
                        "socks5h://127.0.0.1:" + proxy.port,
                        "--send",
                        "by name",
                        "--timeout",
                        "2s")) {
            assertThat(client.awaitExit(EXIT))
                    .as("stderr: %s", client.stderrLines())
                    .isZero();
            assertThat(client.stdout()).isEqualTo("by name");
        }
    }

    @Test
    void echoesThroughAnHttpConnectProxyAndReportsItsRefusal() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("echo");
                Proxy open = Proxy.ncatHttp();
                Proxy guarded = Proxy.ncatHttp("--proxy-auth", "bob:" + PASSWORD)) {
            assertEchoedThrough("http://127.0.0.1:" + open.port, server, "through http");
            String url = "http://bob:" + PASSWORD + "@127.0.0.1:" + guarded.port;
            assertEchoedThrough(url, server, "basic auth");
            try (TcpkitProcess client = sendThrough("http://127.0.0.1:" + guarded.port, server, "x")) {
                assertThat(client.awaitExit(EXIT)).isOne();
                assertThat(client.stderrLines())
                        .containsExactly("proxy http://127.0.0.1:" + guarded.port + " refused the connection to"
                                + " 127.0.0.1:" + server.awaitListening()
                                + ": HTTP 407 Proxy Authentication Required");
            }
        }
    }

    @Test
    void aServerThatRefusesIsTheProxysRefusal() throws Exception {
        int closed = Tutorial.freePort();
        try (Proxy proxy = Proxy.microsocks();
                TcpkitProcess client = TcpkitProcess.start(
                        "connect",
                        "127.0.0.1",
                        Integer.toString(closed),
                        "--proxy",
                        "socks5://127.0.0.1:" + proxy.port,
                        "--send",
                        "x")) {
            assertThat(client.awaitExit(EXIT)).isOne();
            assertThat(client.stderrLines())
                    .containsExactly("proxy socks5://127.0.0.1:" + proxy.port + " refused the connection to 127.0.0.1:"
                            + closed + ": connection refused (SOCKS5 status 5)");
        }
    }

    @Test
    void aClosedProxyPortIsOneLineEvenWhenTheServerIsUp() throws Exception {
        int closed = Tutorial.freePort();
        try (TcpkitProcess server = TcpkitProcess.startServe("echo");
                TcpkitProcess client = sendThrough("socks5://u:" + PASSWORD + "@127.0.0.1:" + closed, server, "x")) {
            assertThat(client.awaitExit(EXIT)).isOne();
            assertThat(client.stderrLines())
                    .containsExactly("cannot reach proxy socks5://127.0.0.1:" + closed + ": connection refused");
            assertThat(client.stdout()).isEmpty();
        }
    }

    @Test
    void aProxyThatNeverAnswersTimesOut() throws Exception {
        // The kernel completes the TCP handshake in the backlog; nobody ever reads or answers.
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
                TcpkitProcess server = TcpkitProcess.startServe("echo");
                TcpkitProcess client = TcpkitProcess.start(
                        "connect",
                        "127.0.0.1",
                        Integer.toString(server.awaitListening()),
                        "--proxy",
                        "http://127.0.0.1:" + silent.getLocalPort(),
                        "--timeout",
                        "1s",
                        "--send",
                        "x")) {
            assertThat(client.awaitExit(EXIT)).isOne();
            assertThat(client.stderrLines())
                    .containsExactly("proxy http://127.0.0.1:" + silent.getLocalPort() + " did not connect to"
                            + " 127.0.0.1:" + server.awaitListening() + ": timed out after 1000 ms");
        }
    }

    @Test
    void tlsRunsThroughTheTunnel() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("echo", "--tls-self-signed");
                Proxy proxy = Proxy.microsocks();
                TcpkitProcess client =
                        sendThrough("socks5h://127.0.0.1:" + proxy.port, server, "over tls", "--tls", "--insecure");
                TcpkitProcess verifying = sendThrough("socks5h://127.0.0.1:" + proxy.port, server, "x", "--tls")) {
            assertThat(client.awaitExit(EXIT))
                    .as("stderr: %s", client.stderrLines())
                    .isZero();
            assertThat(client.stdout()).isEqualTo("over tls");
            // The server's own certificate came back through the tunnel, and was checked.
            assertThat(verifying.awaitExit(EXIT)).isOne();
            assertThat(verifying.stderrLines())
                    .containsExactly("TLS handshake with 127.0.0.1:" + server.awaitListening()
                            + " failed: certificate not trusted");
        }
    }

    @Test
    void malformedProxyUrlsAreUsageErrors() throws Exception {
        for (String url : List.of("ftp://127.0.0.1:21", "socks5://127.0.0.1", "127.0.0.1:1080")) {
            try (TcpkitProcess client = TcpkitProcess.start("connect", "127.0.0.1", "7", "--proxy", url);
                    TcpkitProcess bench = TcpkitProcess.start("bench", "127.0.0.1", "7", "--proxy", url)) {
                for (TcpkitProcess p : List.of(client, bench)) {
                    assertThat(p.awaitExit(EXIT)).as(url).isEqualTo(2);
                    assertThat(p.stderrLines().get(0)).startsWith("--proxy ");
                }
            }
        }
    }

    @Test
    void benchSendsEveryConnectionThroughTheProxyAndVerifiesEveryEcho() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("echo");
                Proxy proxy = Proxy.microsocks("-u", "alice", "-P", PASSWORD);
                TcpkitProcess bench = TcpkitProcess.start(
                        "bench",
                        "127.0.0.1",
                        Integer.toString(server.awaitListening()),
                        "--proxy",
                        "socks5://alice:" + PASSWORD + "@127.0.0.1:" + proxy.port,
                        "--connections",
                        "4",
                        "--count",
                        "2000",
                        "--warmup",
                        "0",
                        "--timeout",
                        "30s")) {
            assertThat(bench.awaitExit(EXIT))
                    .as("stderr: %s", bench.stderrLines())
                    .isZero();
            assertThat(bench.stdoutLines().get(0))
                    .startsWith("tcpkit bench 127.0.0.1:" + server.awaitListening() + " through socks5://127.0.0.1:"
                            + proxy.port + ": pingpong, 4 connections");
            assertThat(bench.stdout())
                    .contains("4 established", "(2,000 messages", "errors       none")
                    .doesNotContain(PASSWORD);
        }
        try (TcpkitProcess server = TcpkitProcess.startServe("echo");
                Proxy proxy = Proxy.microsocks("-u", "alice", "-P", PASSWORD);
                TcpkitProcess bench = TcpkitProcess.start(
                        "bench",
                        "127.0.0.1",
                        Integer.toString(server.awaitListening()),
                        "--proxy",
                        "socks5://alice:nope@127.0.0.1:" + proxy.port)) {
            assertThat(bench.awaitExit(EXIT)).isOne();
            assertThat(bench.stderrLines()).singleElement().asString().matches(authenticationFailed(proxy, server));
        }
    }

    /** The line for a wrong password; the status is the proxy's choice (microsocks says 2, RFC 1929 any but 0). */
    private static String authenticationFailed(Proxy proxy, TcpkitProcess server) throws InterruptedException {
        return Pattern.quote("proxy socks5://127.0.0.1:" + proxy.port + " refused the connection to 127.0.0.1:"
                        + server.awaitListening() + ": authentication failed (SOCKS5 auth status ")
                + "\\d+\\)";
    }

    /** {@code text} sent through the proxy at {@code url} to the echo {@code server} comes back, exit 0. */
    private static void assertEchoedThrough(String url, TcpkitProcess server, String text) throws Exception {
        try (TcpkitProcess client = sendThrough(url, server, text)) {
            assertThat(client.awaitExit(EXIT))
                    .as("stderr: %s", client.stderrLines())
                    .isZero();
            assertThat(client.stdout()).isEqualTo(text);
        }
    }

    private static TcpkitProcess sendThrough(String proxyUrl, TcpkitProcess server, String text, String... options)
            throws InterruptedException {
        List<String> args = new ArrayList<>(List.of(connectArgs(proxyUrl, server, text)));
        args.addAll(List.of(options));
        return TcpkitProcess.start(args.toArray(String[]::new));
    }

    private static String[] connectArgs(String proxyUrl, TcpkitProcess server, String text)
            throws InterruptedException {
        return new String[] {
            "connect",
            "127.0.0.1",
            Integer.toString(server.awaitListening()),
            "--proxy",
            proxyUrl,
            "--send",
            text,
            "--timeout",
            "2s"
        };
    }

    /** A proxy program on a free loopback port, stopped (by its PID) at close. */
    private static final class Proxy implements AutoCloseable {
        final int port;
        private final TcpkitProcess process;

        private Proxy(int port, TcpkitProcess process) {
            this.port = port;
            this.process = process;
        }

        static Proxy microsocks(String... auth) throws IOException {
            int port = Tutorial.freePort();
            List<String> command = new ArrayList<>(List.of("microsocks", "-i", "127.0.0.1", "-p", "" + port));
            command.addAll(List.of(auth));
            return start(port, command);
        }

        /**
         * ncat's HTTP CONNECT proxy. Its proxy mode binds the wildcard address whatever address it is given, so it is
         * held to IPv4 and answers only 127.0.0.1.
         */
        static Proxy ncatHttp(String... auth) throws IOException {
            int port = Tutorial.freePort();
            List<String> command = new ArrayList<>(List.of("ncat", "-4", "--proxy-type", "http"));
            command.addAll(List.of(auth));
            command.addAll(List.of("--allow", "127.0.0.1", "-l", "-k", "127.0.0.1", "" + port));
            return start(port, command);
        }

        private static Proxy start(int port, List<String> command) {
            RequiredProgram.require(command.get(0));
            TcpkitProcess process = TcpkitProcess.startCommand(command.get(0), command, Map.of());
            try {
                // A probe is harmless: each proxy serves connections independently and drops one that says nothing.
                await(command.get(0) + " listening on port " + port)
                        .atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(50))
                        .failFast(command.get(0) + " exited: " + process.stderrLines(), () -> !process.isAlive())
                        .until(() -> accepts(port));
                return new Proxy(port, process);
            } catch (RuntimeException | Error e) {
                process.close();
                throw e;
            }
        }

        private static boolean accepts(int port) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public void close() {
            process.close();
        }
    }
}
