package dev.tcpkit.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.imageio.ImageIO;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load from several generators: two {@code bench} processes started together with {@code --start-at}, each writing
 * {@code --hdr-log}, against one {@code serve echo}; {@code tcpkit report} merges their logs exactly.
 */
@Timeout(120)
final class ReportProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(60);

    @Test
    void twoGeneratorsStartTogetherAndTheirLogsMergeIntoTheUnionsPercentiles(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a.hlog");
        Path b = dir.resolve("b.hlog");
        Path png = dir.resolve("merged.png");
        // One instant for both, far enough ahead for two JVMs to start on a busy machine.
        Instant startAt = Instant.now().plusSeconds(4);
        try (TcpkitProcess server = TcpkitProcess.start("serve", "echo", "--host", "127.0.0.1", "--port", "0")) {
            String port = Integer.toString(server.awaitListening());
            try (TcpkitProcess benchA = bench(port, startAt, a);
                    TcpkitProcess benchB = bench(port, startAt, b)) {
                assertThat(benchA.awaitExit(EXIT))
                        .as(benchA.stderrLines().toString())
                        .isZero();
                assertThat(benchB.awaitExit(EXIT))
                        .as(benchB.stderrLines().toString())
                        .isZero();
                long msgsA =
                        Long.parseLong(BenchProcessIT.flatten(benchA.stdout()).get("msgs"));
                long msgsB =
                        Long.parseLong(BenchProcessIT.flatten(benchB.stdout()).get("msgs"));
                assertThat(msgsA).isPositive();
                assertThat(msgsB).isPositive();

                Histogram logA = new Histogram(3);
                Histogram logB = new Histogram(3);
                double startA = read(a, logA);
                double startB = read(b, logB);
                assertThat(logA.getTotalCount())
                        .as("a.hlog holds every measured latency")
                        .isEqualTo(msgsA);
                assertThat(logB.getTotalCount())
                        .as("b.hlog holds every measured latency")
                        .isEqualTo(msgsB);
                for (double start : new double[] {startA, startB}) {
                    assertThat(start * 1000)
                            .as("the log starts at --start-at")
                            .isBetween((double) startAt.toEpochMilli(), startAt.toEpochMilli() + 1500.0);
                }
                Histogram every = new Histogram(3);
                every.add(logA);
                every.add(logB);

                try (TcpkitProcess report =
                        TcpkitProcess.start("report", a.toString(), b.toString(), "--json", "--plot", png.toString())) {
                    assertThat(report.awaitExit(EXIT))
                            .as(report.stderrLines().toString())
                            .isZero();
                    assertThat(report.stdoutLines()).hasSize(1);
                    Map<String, String> json = BenchProcessIT.flatten(report.stdout());
                    assertThat(Long.parseLong(json.get("msgs"))).isEqualTo(msgsA + msgsB);
                    assertThat(Long.parseLong(json.get("latency_us.samples"))).isEqualTo(msgsA + msgsB);
                    assertThat(Double.parseDouble(json.get("latency_us.p99")))
                            .as("the p99 of one histogram fed both logs' values")
                            .isEqualTo(micros(every.getValueAtPercentile(99)));
                    assertThat(Double.parseDouble(json.get("latency_us.max"))).isEqualTo(micros(every.getMaxValue()));
                    assertThat(report.stderrLines()).isEmpty();
                }
                assertThat(ImageIO.read(png.toFile()).getWidth()).isEqualTo(1000);
            }
        }
    }

    private static TcpkitProcess bench(String port, Instant startAt, Path log) {
        return TcpkitProcess.start(
                "bench",
                "127.0.0.1",
                port,
                "-c",
                "2",
                "--duration",
                "2s",
                "--warmup",
                "500ms",
                "--start-at",
                startAt.toString(),
                "--hdr-log",
                log.toString(),
                "--json");
    }

    /** Adds every interval of {@code file} into {@code into}; returns the log's start time in epoch seconds. */
    private static double read(Path file, Histogram into) throws IOException {
        HistogramLogReader reader = new HistogramLogReader(file.toFile());
        EncodableHistogram interval;
        while ((interval = reader.nextIntervalHistogram()) != null) {
            into.add((Histogram) interval);
        }
        return reader.getStartTimeSec();
    }

    /** As the report writes it: microseconds to one decimal. */
    private static double micros(long nanos) {
        return Math.round(nanos / 1e3 * 10) / 10.0;
    }
}
