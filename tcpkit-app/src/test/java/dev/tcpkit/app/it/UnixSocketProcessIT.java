package dev.tcpkit.app.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code serve --unix PATH} and {@code connect --unix PATH} as processes, with socat as the other end: its pid is the
 * peer's the server shows. The socket files live in a temporary directory with a short path ({@code sun_path}).
 */
@Timeout(90)
final class UnixSocketProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(20);
    private static final String SOCAT = "/usr/bin/socat";

    @TempDir
    Path dir;

    private Path socket;

    @BeforeEach
    void socketPath() {
        socket = dir.resolve("t.sock");
    }

    private static void assumeSocat() {
        assumeTrue(Files.isExecutable(Path.of(SOCAT)), "socat is not installed");
    }

    private static String uid() throws IOException {
        return Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
    }

    /** Starts {@code serve SERVICE --unix PATH OPTIONS...} and waits for its start-up line, which it returns. */
    private TcpkitProcess serve(String service, String... options) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("serve", service, "--unix", socket.toString()));
        args.addAll(List.of(options));
        TcpkitProcess server = TcpkitProcess.start(args.toArray(String[]::new));
        server.awaitStderrLine(line -> line.contains(" listening on "));
        return server;
    }

    /** socat as a client: sends {@code input}, half-closes, and returns with what came back once it has exited. */
    private TcpkitProcess socatSends(String input) throws Exception {
        TcpkitProcess client =
                TcpkitProcess.startCommand("socat", List.of(SOCAT, "-t", "5", "-", "UNIX-CONNECT:" + socket), Map.of());
        client.writeStdin(input);
        client.closeStdin();
        assertThat(client.awaitExit(EXIT)).isZero();
        return client;
    }

    @Test
    void echoServesOverTheSocketAndRemovesItsFileOnSigterm() throws Exception {
        assumeSocat();
        try (TcpkitProcess server = serve("echo")) {
            assertThat(server.stderrLines())
                    .singleElement()
                    .asString()
                    .matches("tcpkit echo listening on unix:" + socket + " \\((io_uring|epoll|nio)\\)");
            assertThat(socatSends("hello over unix\n").stdout()).isEqualTo("hello over unix\n");

            server.terminate();
            assertThat(server.awaitExit(EXIT)).isZero();
            assertThat(socket).doesNotExist();
        }
    }

    @Test
    void logShowsThePeersPidAndUidAndOnceRemovesTheFile() throws Exception {
        assumeSocat();
        try (TcpkitProcess server = serve("log", "--once", "--transport", "epoll")) {
            TcpkitProcess client = socatSends("from socat\n");
            String peer = "unix:pid=" + client.pid() + ",uid=" + uid();

            assertThat(server.awaitExit(EXIT)).isZero();
            assertThat(server.stdoutLines())
                    .singleElement()
                    .asString()
                    .matches("\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z " + Pattern.quote(peer) + " >>> from socat\\\\n");
            assertThat(server.stderrLines()).anySatisfy(l -> assertThat(l).contains(peer + " connected"));
            assertThat(socket).doesNotExist();
        }
    }

    @Test
    void onNioThePeerIsUnknown() throws Exception {
        assumeSocat();
        try (TcpkitProcess server = serve("log", "--transport", "nio")) {
            socatSends("who\n");
            assertThat(server.awaitStdoutLine(line -> line.contains(">>>"))).contains(" unix:? >>> who\\n");
        }
    }

    @Test
    void execGetsTheUcspiUnixEnvironment() throws Exception {
        assumeSocat();
        try (TcpkitProcess server = serve(
                "exec", "--transport", "epoll", "--", "sh", "-c", "echo \"$PROTO $UNIXREMOTEPID $UNIXREMOTEEUID\"")) {
            TcpkitProcess client = socatSends("");
            assertThat(client.stdout()).isEqualTo("UNIX " + client.pid() + " " + uid() + "\n");
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test
    void forwardRelaysTheSocketToATcpUpstream() throws Exception {
        assumeSocat();
        try (TcpkitProcess upstream = TcpkitProcess.start("serve", "echo", "--host", "127.0.0.1", "--port", "0")) {
            int port = upstream.awaitListening();
            try (TcpkitProcess relay = serve("forward", "--to", "127.0.0.1:" + port)) {
                assertThat(relay.stderrLines().get(0)).startsWith("tcpkit forward listening on unix:" + socket + " (");
                assertThat(socatSends("relayed\n").stdout()).isEqualTo("relayed\n");
            }
        }
    }

    @Test
    void theJsonStartUpEventNamesThePath() throws Exception {
        try (TcpkitProcess server = serve("echo", "--log-format", "json")) {
            assertThat(server.stderrLines().get(0))
                    .contains("\"event\":\"listening\"")
                    .contains("\"address\":\"unix:" + socket + "\"")
                    .contains("\"path\":\"" + socket + "\"")
                    .doesNotContain("\"port\"");
        }
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        assumeSocat();
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
        try (TcpkitProcess server = serve("echo")) {
            assertThat(server.stderrLines().get(0)).startsWith("tcpkit echo listening on unix:" + socket);
            assertThat(socatSends("fresh").stdout()).isEqualTo("fresh");
        }
    }

    @Test
    void aLiveSocketIsInUseExitOneAndTheFirstServerServesOn() throws Exception {
        assumeSocat();
        try (TcpkitProcess first = serve("echo");
                TcpkitProcess second = TcpkitProcess.start("serve", "echo", "--unix", socket.toString())) {
            assertThat(second.awaitExit(EXIT)).isOne();
            assertThat(second.stderrLines())
                    .containsExactly("cannot listen on unix:" + socket + ": address already in use");
            assertThat(socatSends("still served").stdout()).isEqualTo("still served");
            assertThat(first.isAlive()).isTrue();
        }
    }

    @Test
    void aRegularFileIsRefusedAndKept() throws Exception {
        Files.writeString(socket, "data");
        try (TcpkitProcess server = TcpkitProcess.start("serve", "echo", "--unix", socket.toString())) {
            assertThat(server.awaitExit(EXIT)).isOne();
            assertThat(server.stderrLines())
                    .containsExactly("cannot listen on unix:" + socket + ": exists and is not a socket");
        }
        assertThat(socket).hasContent("data");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "--host=127.0.0.1",
                "--port=7",
                "--allow=127.0.0.1",
                "--deny=10.0.0.0/8",
                "--max-connections-per-ip=2"
            })
    void optionsForAddressesAreUsageErrors(String option) throws Exception {
        try (TcpkitProcess server = TcpkitProcess.start("serve", "echo", "--unix", socket.toString(), option)) {
            assertThat(server.awaitExit(EXIT)).isEqualTo(2);
            assertThat(server.stderrLines().get(0))
                    .isEqualTo(option.substring(0, option.indexOf('=')) + " does not go with --unix");
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void connectSpeaksToSocatAndHalfClosesAtEndOfInput() throws Exception {
        assumeSocat();
        Process socat = new ProcessBuilder(SOCAT, "UNIX-LISTEN:" + socket + ",fork", "PIPE")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            awaitListening();
            try (TcpkitProcess client = TcpkitProcess.start("connect", "--unix", socket.toString())) {
                client.writeStdin("through socat\n");
                client.closeStdin();
                assertThat(client.awaitExit(EXIT)).isZero();
                assertThat(client.stdout()).isEqualTo("through socat\n");
                assertThat(client.stderrLines()).isEmpty();
            }
        } finally {
            socat.destroy();
            if (!socat.waitFor(5, TimeUnit.SECONDS)) {
                socat.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void connectToAMissingSocketIsOneLineExitOne() throws Exception {
        try (TcpkitProcess client = TcpkitProcess.start("connect", "--unix", socket.toString())) {
            assertThat(client.awaitExit(EXIT)).isOne();
            assertThat(client.stderrLines())
                    .containsExactly("cannot connect to unix:" + socket + ": no such file or directory");
        }
    }

    @Test
    void connectWithBothUnixAndHostPortIsAUsageError() throws Exception {
        try (TcpkitProcess client = TcpkitProcess.start("connect", "--unix", socket.toString(), "127.0.0.1", "7")) {
            assertThat(client.awaitExit(EXIT)).isEqualTo(2);
            assertThat(client.stderrLines().get(0)).isEqualTo("--unix does not go with HOST PORT: give one");
        }
    }

    /** Waits up to 5 s for socat's socket to take a connection; each probe is one socat forks a PIPE for. */
    private void awaitListening() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                SocketChannel.open(UnixDomainSocketAddress.of(socket)).close();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("socat is not listening at " + socket, e);
                }
                Thread.sleep(20);
            }
        }
    }
}
