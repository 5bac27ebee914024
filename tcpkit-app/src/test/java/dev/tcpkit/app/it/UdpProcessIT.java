package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcpkit.app.it.Records.Line;
import dev.tcpkit.testing.AdminHttp;
import dev.tcpkit.testing.TcpkitProcess;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code tcpkit serve … --udp} as a process: the start-up line, records, answers, drops, SIGTERM, a socat peer. */
@Timeout(90)
final class UdpProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(20);
    private static final Pattern ADMIN = Pattern.compile("admin on (http://\\S+)");

    @Test
    void logPrintsEachDatagramAsARecordAnswersItAndStopsCleanlyOnSigterm() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("log", "--udp", "--reply", "ok");
                DatagramSocket client = client()) {
            int port = server.awaitListening();
            assertThat(server.stderrLines())
                    .singleElement()
                    .asString()
                    .matches("tcpkit log listening on 127\\.0\\.0\\.1:" + port + " \\((io_uring|epoll|nio), udp\\)");

            send(client, port, "hello".getBytes(UTF_8));
            assertThat(receive(client)).isEqualTo("ok");
            send(client, port, new byte[] {'x', (byte) 0xc3}); // a cut UTF-8 character: shown, not dropped
            assertThat(receive(client)).isEqualTo("ok");

            List<String> lines = server.awaitStdoutLines(2);
            Line first = Records.parse(lines.get(0));
            assertThat(first.client()).isEqualTo("127.0.0.1:" + client.getLocalPort());
            assertThat(first.text()).isEqualTo("hello");
            assertThat(Records.parse(lines.get(1)).text()).isEqualTo("x\uFFFD");

            server.terminate();
            assertThat(server.awaitExit(EXIT)).isZero();
            assertThat(server.stderrLines()).noneMatch(line -> line.contains("LEAK") || line.contains("Exception"));
        }
    }

    @Test
    void deniedAndOversizedDatagramsAreDroppedAndShownOnTheAdminEndpoint() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe(
                        "echo", "--udp", "--deny", "127.0.0.2", "--max-line", "16", "--admin-port", "0");
                DatagramSocket client = client();
                DatagramSocket denied = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            int port = server.awaitListening();
            send(denied, port, "from a denied address".getBytes(UTF_8));
            send(client, port, "seventeen bytes!!".getBytes(UTF_8));
            send(client, port, "sixteen bytes!!!".getBytes(UTF_8));
            assertThat(receive(client)).isEqualTo("sixteen bytes!!!");
            assertNothingArrives(client);

            String adminLine =
                    server.awaitStderrLine(line -> ADMIN.matcher(line).find());
            Matcher m = ADMIN.matcher(adminLine);
            assertThat(m.find()).isTrue();
            JsonNode datagrams = new AdminHttp(m.group(1)).json("/api/stats").path("datagrams");
            assertThat(datagrams.path("received").asLong()).isEqualTo(1);
            assertThat(datagrams.path("dropped").path("denied").asLong()).isEqualTo(1);
            assertThat(datagrams.path("dropped").path("too-long").asLong()).isEqualTo(1);
            String denial = server.awaitStderrLine(line -> line.contains("denied 127.0.0.2:"));
            assertThat(denial).contains("matches --deny 127.0.0.2");
            server.awaitStderrLine(line -> line.contains("datagram longer than 16 bytes (--max-line)"));
        }
    }

    @Test
    void socatTalksToEchoAsARealPeer() throws Exception {
        assumeThat(Files.isExecutable(Path.of("/usr/bin/socat")))
                .as("socat is installed")
                .isTrue();
        try (TcpkitProcess server = TcpkitProcess.startServe("echo", "--udp")) {
            int port = server.awaitListening();
            try (TcpkitProcess socat = TcpkitProcess.startCommand(
                    "socat", List.of("/usr/bin/socat", "-t", "1", "-", "UDP:127.0.0.1:" + port), Map.of())) {
                socat.writeStdin("ping over udp\n");
                assertThat(socat.awaitStdoutLine(line -> line.equals("ping over udp")))
                        .isEqualTo("ping over udp");
                socat.closeStdin();
                assertThat(socat.awaitExit(EXIT)).isZero();
            }
        }
    }

    @Test
    void onceExitsZeroAfterTheFirstDatagramIsAnswered() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("reply", "--udp", "--once");
                DatagramSocket client = client()) {
            int port = server.awaitListening();
            send(client, port, "just one".getBytes(UTF_8));
            assertThat(receive(client)).isEqualTo("Hello from TCP server!");
            assertThat(server.awaitExit(EXIT)).isZero();
            assertThat(Records.parse(server.stdoutLines().get(0)).text()).isEqualTo("just one");
        }
    }

    private static DatagramSocket client() throws IOException {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static void send(DatagramSocket socket, int port, byte[] bytes) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
    }

    private static String receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        socket.receive(packet);
        return new String(packet.getData(), 0, packet.getLength(), UTF_8);
    }

    private static void assertNothingArrives(DatagramSocket socket) throws IOException {
        socket.setSoTimeout(500);
        try {
            receive(socket);
            throw new AssertionError("an answer arrived that should not have");
        } catch (SocketTimeoutException expected) {
            // nothing came back
        }
    }
}
