package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.testing.TcpkitProcess;
import java.io.File;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tcpkit connect --udp} and {@code bench --udp} as processes, against socat's UDP echo ({@code
 * UDP-RECVFROM:PORT,fork PIPE}: a child per datagram, which answers it from the port it came to).
 */
@Timeout(120)
final class UdpClientProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(60);

    @Test
    void connectSendsEachStdinLineAsADatagramPrintsEachAnswerAndExitsZeroAfterTheTimeout() throws Exception {
        try (Socat echo = Socat.echo();
                TcpkitProcess client = TcpkitProcess.start(
                        "connect", "--udp", "127.0.0.1", Integer.toString(echo.port), "--timeout", "1s")) {
            client.writeStdin("hello\nworld\n");
            client.closeStdin();

            assertThat(client.awaitExit(EXIT)).isZero();
            assertThat(client.stdoutLines()).containsExactly("hello", "world");
            assertThat(client.stderrLines()).isEmpty();
        }
    }

    @Test
    void connectToAPortNobodyListensOnIsRefusedInOneLineWithExitCodeOne() throws Exception {
        int port = freeUdpPort();
        try (TcpkitProcess client =
                TcpkitProcess.start("connect", "--udp", "127.0.0.1", Integer.toString(port), "--send", "anyone?")) {
            assertThat(client.awaitExit(EXIT)).isOne();
            assertThat(client.stderrLines())
                    .containsExactly("cannot connect to 127.0.0.1:" + port + " (udp): connection refused");
            assertThat(client.stdout()).isEmpty();
        }
    }

    @Test
    void connectWithTlsOverUdpIsAUsageErrorWithExitCodeTwo() throws Exception {
        try (TcpkitProcess client = TcpkitProcess.start("connect", "--udp", "--tls", "127.0.0.1", "7")) {
            assertThat(client.awaitExit(EXIT)).isEqualTo(2);
            assertThat(client.stderrLines().get(0)).isEqualTo("--tls does not apply to --udp (TLS needs a connection)");
            assertThat(client.stderrLines()).noneMatch(line -> line.startsWith("\tat "));
        }
    }

    @Test
    void benchVerifiesEveryEchoedDatagramAndCountsTheLostInJson() throws Exception {
        try (Socat echo = Socat.echo();
                TcpkitProcess bench = TcpkitProcess.start(
                        "bench",
                        "--udp",
                        "127.0.0.1",
                        Integer.toString(echo.port),
                        "--connections",
                        "2",
                        "--count",
                        "300",
                        "--size",
                        "512",
                        "--warmup",
                        "0",
                        "--timeout",
                        "1s",
                        "--json")) {
            assertThat(bench.awaitExit(EXIT)).isZero();

            List<String> lines = bench.stdoutLines();
            assertThat(lines).hasSize(1);
            Map<String, String> report = BenchProcessIT.flatten(lines.get(0));
            assertThat(report)
                    .containsEntry("udp", "true")
                    .containsEntry("errors.mismatch", "0")
                    .containsEntry("ok", "true");
            // socat forks a process per datagram, and UDP may drop one even on loopback: a loss is counted, not an
            // error, and every message is either verified or lost.
            long msgs = Long.parseLong(report.get("msgs"));
            long lost = Long.parseLong(report.get("lost"));
            assertThat(msgs + lost).isEqualTo(300);
            assertThat(lost).isLessThanOrEqualTo(5);
            assertThat(report).containsEntry("bytes", Long.toString(msgs * 512));
        }
    }

    @Test
    void benchInStreamModeOverUdpIsAUsageErrorWithExitCodeTwo() throws Exception {
        try (TcpkitProcess bench = TcpkitProcess.start("bench", "--udp", "--mode", "stream", "127.0.0.1", "7")) {
            assertThat(bench.awaitExit(EXIT)).isEqualTo(2);
            assertThat(bench.stderrLines().get(0))
                    .isEqualTo("--udp does not apply to stream mode (it needs connections): use pingpong");
        }
    }

    /** socat's UDP echo on 127.0.0.1, answering once it is up. */
    private static final class Socat implements AutoCloseable {
        final int port;
        private final TcpkitProcess process;

        private Socat(int port, TcpkitProcess process) {
            this.port = port;
            this.process = process;
        }

        static Socat echo() throws IOException {
            boolean found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                    .anyMatch(d -> Files.isExecutable(Path.of(d, "socat")));
            assumeThat(found).as("the socat command is installed").isTrue();
            int port = freeUdpPort();
            TcpkitProcess process = TcpkitProcess.startCommand(
                    "socat", List.of("socat", "UDP-RECVFROM:" + port + ",bind=127.0.0.1,fork", "PIPE"), Map.of());
            Socat socat = new Socat(port, process);
            await().atMost(Duration.ofSeconds(20)).until(socat::answers);
            return socat;
        }

        /** Whether a datagram sent to it comes back. */
        private boolean answers() throws IOException {
            try (DatagramSocket probe =
                    new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                probe.setSoTimeout(200);
                byte[] ping = "ping".getBytes(UTF_8);
                probe.send(new DatagramPacket(ping, ping.length, InetAddress.getLoopbackAddress(), port));
                DatagramPacket answer = new DatagramPacket(new byte[16], 16);
                probe.receive(answer);
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            }
        }

        @Override
        public void close() {
            process.close();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }
}
