package dev.tcpkit.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.CorruptingEcho;
import dev.tcpkit.testing.TcpkitProcess;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tcpkit bench} as a process: against {@code tcpkit serve echo}, its JSON and chart, its exit codes. */
@Timeout(120)
final class BenchProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(60);
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @Test
    void pingpongAgainstServeEchoPrintsOneJsonObjectAndDrawsAValidPng(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("latency.png");
        try (TcpkitProcess server = TcpkitProcess.start("serve", "echo", "--host", "127.0.0.1", "--port", "0");
                TcpkitProcess bench = TcpkitProcess.start(
                        "bench",
                        "127.0.0.1",
                        Integer.toString(server.awaitListening()),
                        "--connections",
                        "4",
                        "--count",
                        "2000",
                        "--warmup",
                        "0",
                        "--timeout",
                        "30s",
                        "--json",
                        "--plot",
                        png.toString())) {
            assertThat(bench.awaitExit(EXIT)).isZero();

            List<String> lines = bench.stdoutLines();
            assertThat(lines).hasSize(1);
            Map<String, String> json = flatten(lines.get(0));
            assertThat(json)
                    .containsEntry("mode", "pingpong")
                    .containsEntry("connections", "4")
                    .containsEntry("established", "4")
                    .containsEntry("msgs", "2000")
                    .containsEntry("bytes", Long.toString(2000L * 64))
                    .containsEntry("latency_us.samples", "2000")
                    .containsEntry("errors.mismatch", "0")
                    .containsEntry("errors.short", "0")
                    .containsEntry("ok", "true");
            assertThat(Double.parseDouble(json.get("msgs_per_s"))).isPositive();
            assertThat(Double.parseDouble(json.get("latency_us.p50"))).isPositive();
            assertThat(bench.stderrLines())
                    .as("no live progress when stderr is not a terminal")
                    .isEmpty();

            byte[] bytes = Files.readAllBytes(png);
            assertThat(Arrays.copyOf(bytes, 8)).isEqualTo(PNG_SIGNATURE);
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).isNotNull();
            assertThat(image.getWidth()).isEqualTo(1000);
            assertThat(image.getHeight()).isEqualTo(600);
        }
    }

    @Test
    void streamModeReportsForPeopleWithLiveProgressWhenAsked() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.start("serve", "echo", "--host", "127.0.0.1", "--port", "0");
                TcpkitProcess bench = TcpkitProcess.start(
                        "bench",
                        "127.0.0.1",
                        Integer.toString(server.awaitListening()),
                        "--mode",
                        "stream",
                        "-c",
                        "2",
                        "--size",
                        "64KiB",
                        "--duration",
                        "1500ms",
                        "--warmup",
                        "500ms",
                        "--progress")) {
            assertThat(bench.awaitExit(EXIT)).isZero();

            String report = bench.stdout();
            assertThat(report)
                    .startsWith("tcpkit bench 127.0.0.1:")
                    .contains("stream, 2 connections, 64 KiB chunks, 4 in flight")
                    .contains("MB/s")
                    .containsPattern("errors +none");
            assertThat(bench.stderrLines())
                    .anySatisfy(line ->
                            assertThat(line).contains("msgs/s").contains("MB/s").contains("p99"));
        }
    }

    @Test
    void connectModeOpensHoldsAndServesEveryConnection() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.start("serve", "echo", "--host", "127.0.0.1", "--port", "0");
                TcpkitProcess bench = TcpkitProcess.start(
                        "bench",
                        "127.0.0.1",
                        Integer.toString(server.awaitListening()),
                        "--mode",
                        "connect",
                        "-c",
                        "200",
                        "--duration",
                        "300ms",
                        "--rate",
                        "2000",
                        "--timeout",
                        "30s",
                        "--json")) {
            assertThat(bench.awaitExit(EXIT)).isZero();

            Map<String, String> json = flatten(bench.stdoutLines().get(0));
            assertThat(json)
                    .containsEntry("mode", "connect")
                    .containsEntry("established", "200")
                    .containsEntry("served", "200")
                    .containsEntry("connect_latency_us.samples", "200")
                    .containsEntry("ok", "true");
        }
    }

    @Test
    void aCorruptedEchoIsCountedReportedAndExitsThree() throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.handler("corrupting echo", () -> new CorruptingEcho(5000)))
                        .start();
                TcpkitProcess bench = TcpkitProcess.start(
                        "bench",
                        "127.0.0.1",
                        Integer.toString(server.port()),
                        "-c",
                        "1",
                        "--count",
                        "1000",
                        "--timeout",
                        "30s")) {
            assertThat(bench.awaitExit(EXIT)).isEqualTo(3);

            assertThat(bench.stdout()).containsPattern("errors +mismatch 1");
        }
    }

    @Test
    void refusedConnectionIsOneLineAndExitCodeOne() throws Exception {
        int port = Tutorial.freePort();
        try (TcpkitProcess bench = TcpkitProcess.start("bench", "127.0.0.1", Integer.toString(port))) {
            assertThat(bench.awaitExit(EXIT)).isOne();
            assertThat(bench.stderrLines())
                    .containsExactly("cannot connect to 127.0.0.1:" + port + ": connection refused");
            assertThat(bench.stdout()).isEmpty();
        }
    }

    @Test
    void unknownHostIsOneLineAndExitCodeOne() throws Exception {
        try (TcpkitProcess bench = TcpkitProcess.start("bench", "nosuch.invalid", "7")) {
            assertThat(bench.awaitExit(EXIT)).isOne();
            assertThat(bench.stderrLines()).containsExactly("cannot connect to nosuch.invalid:7: unknown host");
        }
    }

    @Test
    void aCountInConnectModeIsAUsageError() throws Exception {
        try (TcpkitProcess bench =
                TcpkitProcess.start("bench", "127.0.0.1", "7", "--mode", "connect", "--count", "5")) {
            assertThat(bench.awaitExit(EXIT)).isEqualTo(2);
            assertThat(bench.stderrLines().get(0))
                    .isEqualTo("--count does not apply to connect mode (each connection echoes one message)");
        }
    }

    /** The JSON object's scalar fields by dotted path ({@code errors.mismatch}), as text. */
    static Map<String, String> flatten(String json) throws IOException {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            String prefix = "";
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME) {
                    continue;
                }
                if (token == JsonToken.START_OBJECT) {
                    prefix = parser.currentName() + ".";
                } else if (token == JsonToken.END_OBJECT) {
                    prefix = "";
                } else {
                    fields.put(prefix + parser.currentName(), parser.getText());
                }
            }
        }
        return fields;
    }
}
