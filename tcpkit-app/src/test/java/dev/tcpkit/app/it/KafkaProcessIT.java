package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve log --reply ok --kafka} (each line acknowledged) as a process with its broker down (a free port nobody listens on; the tests against a
 * real broker are tcpkit-kafka's): nothing is acknowledged, the admin page shows the backlog, secrets are never
 * printed, and SIGTERM ends within the drain timeout with exit 1 and the count of undelivered records in the last line.
 */
@Timeout(120)
final class KafkaProcessIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a stop may take beyond the drain timeout: the JVM's own start-up and exit, on a loaded machine. */
    private static final Duration MARGIN = Duration.ofSeconds(10);

    private static final String SECRET = "s3cret-never-printed";
    private static final int LINES = 5;

    @Test
    void withTheBrokerDownNothingIsAcknowledgedAndSigtermExitsOneCountingTheUndelivered(@TempDir Path dir)
            throws Exception {
        Path properties = dir.resolve("client.properties");
        Files.writeString(properties, "ssl.truststore.password=" + SECRET + "\n");
        Duration drain = Duration.ofSeconds(2);
        try (TcpkitProcess server = TcpkitProcess.startServe(
                "log",
                "--framing",
                "line",
                "--reply",
                "ok",
                "--kafka",
                "127.0.0.1:" + freePort(),
                "--kafka-topic",
                "lines",
                "--kafka-property",
                "ssl.key.password=" + SECRET,
                "--kafka-properties",
                properties.toString(),
                "--admin-port",
                "0",
                "--drain-timeout",
                drain.toMillis() + "ms")) {
            int port = server.awaitListening();
            String admin = server.awaitStderrLine(l -> l.startsWith("tcpkit log admin on "));
            int adminPort = URI.create(
                            admin.substring("tcpkit log admin on ".length()).trim())
                    .getPort();
            try (LoopbackClient client = LoopbackClient.connect(port).readTimeout(Duration.ofSeconds(3))) {
                for (int i = 0; i < LINES; i++) {
                    client.send("line " + i + "\n", UTF_8);
                }
                assertThat(answered(client)).as("acknowledged with Kafka down").isFalse();

                JsonNode sink = JSON.readTree(get(adminPort, "/api/stats")).get("sink");
                assertThat(sink.get("name").asText()).isEqualTo("Kafka topic lines");
                assertThat(sink.get("inFlight").asLong()).isEqualTo(LINES);
                assertThat(sink.get("oldestAgeSeconds").asDouble()).isPositive();
                String metrics = get(adminPort, "/metrics");
                assertThat(metrics)
                        .contains("tcpkit_sink_records_in_flight{service=\"log\"} " + LINES + ".0")
                        .contains("kafka_producer_");
                assertThat(metrics).doesNotContain(SECRET);

                long start = System.nanoTime();
                server.terminate();
                assertThat(server.awaitExit(drain.plus(MARGIN)))
                        .as("exit status")
                        .isOne();
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(drain.plus(MARGIN));
            }
            List<String> stderr = server.stderrLines();
            assertThat(stderr.get(stderr.size() - 1))
                    .as("the last line: %s", stderr)
                    .contains(LINES + " record(s) lost: not delivered to Kafka topic lines in the ");
            assertThat(stderr).noneMatch(line -> line.contains(SECRET));
            assertThat(stderr).noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception:"));
        }
    }

    @Test
    void kafkaOptionsWithoutKafkaAreAUsageError() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("log", "--kafka-topic", "lines")) {
            assertThat(server.awaitExit(Duration.ofSeconds(20))).isEqualTo(2);
            assertThat(server.stderrLines()).anyMatch(line -> line.contains("need --kafka"));
        }
    }

    @Test
    void aMissingPropertiesFileIsOneLineAndExitOne(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("missing.properties");
        try (TcpkitProcess server = TcpkitProcess.startServe(
                "log", "--kafka", "127.0.0.1:9", "--kafka-topic", "lines", "--kafka-properties", missing.toString())) {
            assertThat(server.awaitExit(Duration.ofSeconds(20))).isOne();
            assertThat(server.stderrLines())
                    .containsExactly("cannot read --kafka-properties " + missing + ": no such file or directory");
        }
    }

    private static boolean answered(LoopbackClient client) throws IOException {
        try {
            return client.socket().getInputStream().read() != -1;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private static String get(int port, String path) throws IOException {
        try (LoopbackClient client = LoopbackClient.connect(port).readTimeout(Duration.ofSeconds(10))) {
            client.send("GET " + path + " HTTP/1.0\r\n\r\n", US_ASCII);
            String response = new String(client.readToEnd(), UTF_8);
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
