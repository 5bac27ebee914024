package dev.tcpkit.app.bench;

import java.util.Locale;

/**
 * One second of a run, for the live progress line.
 *
 * @param elapsedSeconds since traffic started (connect phase: since the first connect)
 * @param phase {@code connect}, {@code hold}, {@code warmup}, {@code measure} or {@code drain}
 * @param established connections open
 * @param messages echoes completed in the second
 * @param bytes bytes echoed in the second
 * @param p50Nanos median latency of the second, {@code -1} if none
 * @param p99Nanos 99th percentile latency of the second, {@code -1} if none
 * @param errors errors so far
 */
public record Progress(
        double elapsedSeconds,
        String phase,
        int established,
        long messages,
        long bytes,
        long p50Nanos,
        long p99Nanos,
        long errors) {

    /** {@code   3s  measure  177,804 msgs/s  11.4 MB/s  p50 531µs  p99 1.02ms  errors 0}. */
    public String toLine() {
        if (phase.equals("connect") || phase.equals("hold")) {
            return String.format(
                    Locale.ROOT,
                    "%4.0fs  %-7s  %,d connections  errors %d",
                    elapsedSeconds,
                    phase,
                    established,
                    errors);
        }
        return String.format(
                Locale.ROOT,
                "%4.0fs  %-7s  %,d msgs/s  %s MB/s  p50 %s  p99 %s  errors %d",
                elapsedSeconds,
                phase,
                messages,
                Units.megabytes((double) bytes),
                p50Nanos < 0 ? "-" : Units.latency((double) p50Nanos),
                p99Nanos < 0 ? "-" : Units.latency((double) p99Nanos),
                errors);
    }
}
