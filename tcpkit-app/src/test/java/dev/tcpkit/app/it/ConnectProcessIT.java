package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.testing.TcpkitProcess;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code tcpkit connect} as a process: one-line failures, exit codes, piping bytes, and the silence timeout. */
@Timeout(90)
final class ConnectProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(20);

    @Test
    void refusedConnectionIsOneLineAndExitCodeOne() throws Exception {
        int port = Tutorial.freePort();
        try (TcpkitProcess client = TcpkitProcess.start("connect", "127.0.0.1", Integer.toString(port))) {
            assertThat(client.awaitExit(EXIT)).isOne();
            assertThat(client.stderrLines())
                    .containsExactly("cannot connect to 127.0.0.1:" + port + ": connection refused");
            assertThat(client.stdout()).isEmpty();
        }
    }

    @Test
    void unknownHostIsOneLineAndExitCodeOne() throws Exception {
        try (TcpkitProcess client = TcpkitProcess.start("connect", "nosuch.invalid", "7")) {
            assertThat(client.awaitExit(EXIT)).isOne();
            assertThat(client.stderrLines()).containsExactly("cannot connect to nosuch.invalid:7: unknown host");
            assertThat(client.stdout()).isEmpty();
        }
    }

    @Test
    void missingPortIsAUsageErrorWithExitCodeTwo() throws Exception {
        try (TcpkitProcess client = TcpkitProcess.start("connect", "127.0.0.1")) {
            assertThat(client.awaitExit(EXIT)).isEqualTo(2);
            List<String> stderr = client.stderrLines();
            assertThat(stderr.get(0)).isEqualTo("Missing required parameter: 'PORT'");
            assertThat(stderr).anySatisfy(line -> assertThat(line).startsWith("Usage: tcpkit connect "));
            assertThat(stderr).noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception"));
        }
    }

    @Test
    void pipesOneMebibyteOfRandomBytesThroughAnEchoServerUnchanged() throws Exception {
        byte[] data = new byte[1024 * 1024];
        new Random(862).nextBytes(data);
        try (TcpkitProcess server = TcpkitProcess.start("serve", "echo", "--host", "127.0.0.1", "--port", "0");
                TcpkitProcess client =
                        TcpkitProcess.start("connect", "127.0.0.1", Integer.toString(server.awaitListening()))) {
            // The fixture drains the client's stdout meanwhile, so writing all of stdin first cannot deadlock.
            client.writeStdin(data);
            client.closeStdin();

            assertThat(client.awaitExit(Duration.ofSeconds(60))).isZero();
            byte[] echoed = client.stdoutBytes();
            assertThat(echoed.length).isEqualTo(data.length);
            assertThat(Arrays.mismatch(echoed, data))
                    .as("index of the first byte that differs")
                    .isEqualTo(-1);
            assertThat(client.stderrLines()).isEmpty();
            assertThat(server.isAlive())
                    .as("echo serves on after its client left")
                    .isTrue();
        }
    }

    @Test
    void encodingSendsTypedTextAsGbkAndPrintsGbkRepliesInTheTerminalsCharset() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.start(
                        "serve",
                        "log",
                        "--framing",
                        "line",
                        "--encoding",
                        "gbk",
                        "--reply",
                        "收到",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "0");
                TcpkitProcess client = TcpkitProcess.start(
                        "connect", "127.0.0.1", Integer.toString(server.awaitListening()), "--encoding", "gbk")) {
            client.writeStdin("第一行\n第二行 second\n");
            client.closeStdin();

            // The log server answers both lines, then closes once the client has stopped sending.
            assertThat(client.awaitExit(EXIT)).isZero();
            assertThat(client.stdoutBytes()).isEqualTo("收到收到".getBytes(UTF_8));
            assertThat(Records.parse(server.awaitStdoutLines(2)))
                    .extracting(Records.Line::text)
                    .containsExactly("第一行", "第二行 second");
        }
    }

    @Test
    void sendExitsZeroAfterTheTimeoutOfSilenceWhenTheServerNeverCloses() throws Exception {
        assertPrintsTheReplyAndExitsAfterTheTimeoutOfSilence("--send", "ping", "--timeout", "1500ms");
    }

    @Test
    void recvFirstThatTimesOutStillGivesTheReplyToTheSendTheWholeTimeout() throws Exception {
        // The server says nothing first: the client waits 1.5 s, then sends, then waits 1.5 s for the reply.
        assertPrintsTheReplyAndExitsAfterTheTimeoutOfSilence("--recv-first", "--send", "ping", "--timeout", "1500ms");
    }

    /** Runs {@code connect} with {@code options} against a server that answers ping with pong and never closes. */
    private static void assertPrintsTheReplyAndExitsAfterTheTimeoutOfSilence(String... options) throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<String> args =
                    new ArrayList<>(List.of("connect", "127.0.0.1", Integer.toString(listener.getLocalPort())));
            args.addAll(List.of(options));
            try (TcpkitProcess client = TcpkitProcess.start(args.toArray(String[]::new))) {
                listener.setSoTimeout(30_000);
                try (Socket accepted = listener.accept()) {
                    accepted.setSoTimeout(10_000);
                    InputStream in = accepted.getInputStream();
                    assertThat(new String(in.readNBytes(4), UTF_8)).isEqualTo("ping");
                    accepted.getOutputStream().write("pong".getBytes(UTF_8));
                    long answered = System.nanoTime();

                    assertThat(client.awaitExit(EXIT)).isZero();
                    Duration silence = Duration.ofNanos(System.nanoTime() - answered);
                    assertThat(client.stdout()).isEqualTo("pong");
                    assertThat(silence)
                            .as("waited for --timeout 1500ms of silence after the reply, not the default 5s")
                            .isBetween(Duration.ofMillis(1200), Duration.ofMillis(4500));
                    assertThat(client.stderrLines()).isEmpty();
                    assertThat(in.read()).as("the client closed the connection").isEqualTo(-1);
                }
            }
        }
    }
}
