package dev.tcpkit.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Percentage.withPercentage;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tcpkit report}'s arithmetic: logs written by {@link LatencyLog} (HdrHistogram's {@code HistogramLogWriter})
 * merge into the histogram of every value, not an average of their percentiles.
 */
@Timeout(60)
final class MergedLogsTest {
    private static final long BASE_MILLIS = 1_796_500_000_000L;

    @Test
    void theMergedPercentilesAreThoseOfOneHistogramFedEveryValue(@TempDir Path dir) throws IOException {
        Histogram every = LoopState.newHistogram();
        // Two generators that see very different latencies: averaging their p99s would be far from the union's.
        Path fast = write(dir.resolve("fast.hlog"), BASE_MILLIS, 5, 20_000, 50_000, 7, every);
        Path slow = write(dir.resolve("slow.hlog"), BASE_MILLIS + 300, 4, 2_000, 5_000_000, 11, every);

        MergedLogs merged = MergedLogs.read(List.of(fast, slow));

        assertThat(merged.intervals()).isEqualTo(9);
        assertThat(merged.latency().getTotalCount())
                .isEqualTo(every.getTotalCount())
                .isEqualTo(5 * 20_000 + 4 * 2_000);
        for (double percentile : new double[] {50, 90, 99, 99.9}) {
            assertThat(merged.latency().getValueAtPercentile(percentile))
                    .as("p%s", percentile)
                    .isEqualTo(every.getValueAtPercentile(percentile));
        }
        assertThat(merged.latency().getMaxValue()).isEqualTo(every.getMaxValue());
        double averageOfP99s = (MergedLogs.read(List.of(fast)).latency().getValueAtPercentile(99)
                        + MergedLogs.read(List.of(slow)).latency().getValueAtPercentile(99))
                / 2.0;
        assertThat((double) merged.latency().getValueAtPercentile(99))
                .as("the union's p99 is not the average of the p99s")
                .isNotCloseTo(averageOfP99s, withPercentage(10));
        assertThat(merged.connectLatency().getTotalCount()).isZero();
        assertThat(merged.startMillis()).isEqualTo(BASE_MILLIS);
        assertThat(merged.endMillis()).isEqualTo(BASE_MILLIS + 5_000);
    }

    @Test
    void connectLatenciesAreKeptApartAndReportedLikeConnectMode(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("connect.hlog");
        Histogram echo = LoopState.newHistogram();
        Histogram connect = LoopState.newHistogram();
        echo.recordValue(200_000);
        connect.recordValue(3_000_000);
        connect.recordValue(4_000_000);
        try (LatencyLog log = LatencyLog.create(file)) {
            log.start(BASE_MILLIS, "test");
            log.interval(BASE_MILLIS, BASE_MILLIS + 1000, echo, null);
            log.interval(BASE_MILLIS, BASE_MILLIS + 1000, connect, LatencyLog.CONNECT_TAG);
        }

        MergedLogs merged = MergedLogs.read(List.of(file));

        assertThat(merged.latency().getTotalCount()).isEqualTo(1);
        assertThat(merged.connectLatency().getTotalCount()).isEqualTo(2);
        assertThat(TextReport.format(merged))
                .startsWith("tcpkit report: 1 log (" + file + "), 2 intervals from ")
                .contains("\n  connect      p50 3.00ms")
                .contains("\n  echo         p50 200µs");
        assertThat(JsonReport.format(merged))
                .contains("\"msgs\":1,")
                .contains("\"connect_latency_us\":{\"samples\":2,");
    }

    @Test
    void theReportHasBenchsLatencyLineJsonFieldsAndChart(@TempDir Path dir) throws IOException {
        Histogram every = LoopState.newHistogram();
        Path a = write(dir.resolve("a.hlog"), BASE_MILLIS, 2, 1_000, 1_000_000, 3, every);
        Path b = write(dir.resolve("b.hlog"), BASE_MILLIS, 2, 1_000, 1_000_000, 5, every);
        MergedLogs merged = MergedLogs.read(List.of(a, b));

        assertThat(TextReport.format(merged).lines())
                .containsExactly(
                        "tcpkit report: 2 logs (" + a + ", " + b
                                + "), 4 intervals from " + Instant.ofEpochMilli(BASE_MILLIS) + " to "
                                + Instant.ofEpochMilli(BASE_MILLIS + 2000),
                        "  latency      " + TextReport.percentiles(every));
        assertThat(JsonReport.format(merged))
                .startsWith("{\"logs\":[\"" + a + "\",\"" + b + "\"],\"intervals\":4,")
                .contains("\"msgs\":4000,\"latency_us\":{\"samples\":4000,\"p50\":");
        Path png = dir.resolve("merged.png");
        LatencyChart.write(merged, png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(1000);
    }

    @Test
    void aFileThatIsMissingNotALogOrDamagedIsOneLineNamingIt(@TempDir Path dir) throws IOException {
        Path good = write(dir.resolve("good.hlog"), BASE_MILLIS, 2, 100, 1_000_000, 1, LoopState.newHistogram());
        Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");
        List<String> lines = Files.readAllLines(good, StandardCharsets.US_ASCII);
        String last = lines.get(lines.size() - 1);
        Path cut = Files.writeString(
                dir.resolve("cut.hlog"),
                String.join("\n", lines.subList(0, lines.size() - 1)) + "\n" + last.substring(0, last.length() / 2)
                        + "\n");
        Path garbled = Files.writeString(
                dir.resolve("garbled.hlog"), String.join("\n", lines.subList(0, lines.size() - 1)) + "\nnot a line\n");

        assertThatThrownBy(() -> MergedLogs.read(List.of(good, dir.resolve("missing.hlog"))))
                .hasMessage("cannot read " + dir.resolve("missing.hlog") + ": no such file or directory");
        assertThatThrownBy(() -> MergedLogs.read(List.of(text)))
                .hasMessage(text + " is not an HdrHistogram interval log:"
                        + " no \"#[Histogram log format version\" line at its head");
        assertThatThrownBy(() -> MergedLogs.read(List.of(cut)))
                .hasMessageStartingWith(cut + " is not an HdrHistogram interval log: ")
                .hasMessageNotContaining("\n")
                .hasMessageNotContaining("Exception");
        assertThatThrownBy(() -> MergedLogs.read(List.of(garbled)))
                .hasMessage(garbled + " is not an HdrHistogram interval log: interval 2 of 2 cannot be decoded");
    }

    /**
     * Writes {@code intervals} one-second intervals from {@code startMillis}, each of {@code perInterval} random
     * latencies up to {@code maxNanos}, and records the same values in {@code every}.
     */
    private static Path write(
            Path file, long startMillis, int intervals, int perInterval, long maxNanos, long seed, Histogram every)
            throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        try (LatencyLog log = LatencyLog.create(file)) {
            log.start(startMillis, "test");
            for (int i = 0; i < intervals; i++) {
                Histogram interval = LoopState.newHistogram();
                for (int n = 0; n < perInterval; n++) {
                    long nanos = random.nextLong(1, maxNanos);
                    interval.recordValue(nanos);
                    every.recordValue(nanos);
                }
                log.interval(startMillis + i * 1000L, startMillis + (i + 1) * 1000L, interval, null);
            }
        }
        return file;
    }
}
