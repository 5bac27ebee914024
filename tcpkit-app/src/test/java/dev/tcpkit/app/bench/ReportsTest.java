package dev.tcpkit.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tcpkit.options.Transport;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The three forms of the report, from a made-up result. */
@Timeout(120)
final class ReportsTest {
    private static BenchResult result(BenchMode mode, ErrorCounts errors) {
        return result(mode, errors, false, 0);
    }

    private static BenchResult result(BenchMode mode, ErrorCounts errors, boolean udp, long lost) {
        BenchConfig config = new BenchConfig(
                "::1",
                50007,
                mode,
                100,
                4096,
                Duration.ofSeconds(5),
                0,
                Duration.ofSeconds(1),
                4,
                0,
                2,
                Transport.EPOLL,
                Duration.ofSeconds(5),
                false,
                udp);
        Histogram latency = LoopState.newHistogram();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 100_000; i++) {
            latency.recordValue(200_000 + (long) (random.nextDouble() * random.nextDouble() * 5_000_000));
        }
        Histogram connect = LoopState.newHistogram();
        connect.recordValue(150_000);
        return new BenchResult(
                config, Transport.EPOLL, 2, 100, 99, 12.5, 5.0, 100_000, latency, connect, errors, false, lost);
    }

    @Test
    void textReportNamesTheRunAndEveryFigure() {
        String text = TextReport.format(result(BenchMode.PINGPONG, ErrorCounts.NONE));

        assertThat(text.lines().toList())
                .containsExactly(
                        "tcpkit bench [::1]:50007: pingpong, 100 connections, 4 KiB messages, 4 in flight, 5.00s after"
                                + " 1.00s warmup, epoll, 2 threads",
                        "  connections  100 established in 12.5ms, 99 open at the end",
                        "  throughput   20,000 msgs/s, 81.9 MB/s (100,000 messages, 409.6 MB in 5.000 s)",
                        text.lines().toList().get(3),
                        "  errors       none");
        assertThat(text.lines().toList().get(3))
                .matches("  latency      p50 \\S+  p90 \\S+  p99 \\S+  p99.9 \\S+"
                        + "  max \\S+  \\(100,000 samples\\)");
    }

    @Test
    void overUdpBothReportsSaySoAndCountTheLostDatagramsWhichAreNoError() {
        BenchResult result = result(BenchMode.PINGPONG, ErrorCounts.NONE, true, 12);

        assertThat(TextReport.format(result))
                .startsWith("tcpkit bench [::1]:50007: pingpong over UDP, 100 connections,")
                .contains("\n  lost         12 datagrams not echoed within 5.00s\n")
                .endsWith("  errors       none\n");
        assertThat(JsonReport.format(result))
                .contains("\"udp\":true")
                .contains("\"lost\":12")
                .contains("\"ok\":true");
    }

    @Test
    void textReportListsOnlyTheErrorsThatHappened() {
        String text = TextReport.format(result(BenchMode.STREAM, new ErrorCounts(0, 2, 1, 0, 0)));

        assertThat(text).contains("  errors       mismatch 1, reset 2\n").contains("MB/s, 20,000 chunks/s");
    }

    @Test
    void jsonReportIsOneObjectWithTheDocumentedFields() throws Exception {
        String json = JsonReport.format(result(BenchMode.CONNECT, new ErrorCounts(3, 0, 0, 0, 0)));

        assertThat(json).doesNotContain("\n");
        List<String> names = new ArrayList<>();
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            JsonToken token;
            int depth = 0;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.START_OBJECT) {
                    depth++;
                } else if (token == JsonToken.END_OBJECT) {
                    depth--;
                } else if (token == JsonToken.FIELD_NAME && depth == 1) {
                    names.add(parser.currentName());
                }
            }
            assertThat(depth).isZero();
        }
        assertThat(names)
                .containsExactly(
                        "mode",
                        "udp",
                        "host",
                        "port",
                        "transport",
                        "threads",
                        "connections",
                        "size",
                        "depth",
                        "rate",
                        "duration_s",
                        "warmup_s",
                        "count",
                        "established",
                        "alive",
                        "served",
                        "connect_ms",
                        "measured_s",
                        "msgs",
                        "bytes",
                        "msgs_per_s",
                        "mb_per_s",
                        "latency_us",
                        "connect_latency_us",
                        "errors",
                        "lost",
                        "stalled",
                        "ok");
        assertThat(json)
                .contains("\"served\":100000")
                .contains("\"errors\":{\"connect\":3,\"reset\":0,\"mismatch\":0,\"short\":0,\"eof\":0}")
                .contains("\"lost\":null")
                .contains("\"ok\":false");
    }

    @Test
    void chartIsAPngOfTheDocumentedSize(@TempDir Path dir) throws Exception {
        Path png = dir.resolve("chart.PNG");

        LatencyChart.write(result(BenchMode.PINGPONG, ErrorCounts.NONE), png);

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.toList()).as("the file named, extension as given").containsExactly(png);
        }
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(1000);
        assertThat(image.getHeight()).isEqualTo(600);
    }

    @Test
    void chartIsAJpegForAJpgFile(@TempDir Path dir) throws Exception {
        Path jpg = dir.resolve("chart.jpg");

        LatencyChart.write(result(BenchMode.CONNECT, ErrorCounts.NONE), jpg);

        byte[] bytes = Files.readAllBytes(jpg);
        assertThat(bytes).startsWith((byte) 0xFF, (byte) 0xD8, (byte) 0xFF); // JPEG's start-of-image marker
        BufferedImage image = ImageIO.read(jpg.toFile());
        assertThat(image).isNotNull();
        assertThat(image.getWidth()).isEqualTo(1000);
    }

    @Test
    void chartPutsTheUsualPercentilesOnWholeSteps() {
        assertThat(LatencyChart.position(0)).isZero();
        assertThat(LatencyChart.position(50)).isCloseTo(1, within(1e-9));
        assertThat(LatencyChart.position(90)).isCloseTo(2, within(1e-9));
        assertThat(LatencyChart.position(99)).isCloseTo(3, within(1e-9));
        assertThat(LatencyChart.position(99.9)).isCloseTo(4, within(1e-9));
        assertThat(LatencyChart.position(70)).isBetween(1.0, 2.0);
        assertThat(LatencyChart.position(95)).isBetween(2.0, 3.0);
    }

    @Test
    void chartLabelsTheUsualPercentilesRoundly() {
        assertThat(LatencyChart.percentileLabel(0)).isEqualTo("0%");
        assertThat(LatencyChart.percentileLabel(1)).isEqualTo("50%");
        assertThat(LatencyChart.percentileLabel(2)).isEqualTo("90%");
        assertThat(LatencyChart.percentileLabel(3)).isEqualTo("99%");
        assertThat(LatencyChart.percentileLabel(4)).isEqualTo("99.9%");
        assertThat(LatencyChart.percentileLabel(6)).isEqualTo("99.999%");
        assertThat(LatencyChart.percentileLabel(2.5)).isEqualTo("96.8%");
        assertThat(LatencyChart.percentileLabel(3.5)).isEqualTo("99.68%");
    }
}
