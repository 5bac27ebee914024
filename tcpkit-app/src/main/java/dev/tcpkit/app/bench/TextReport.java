package dev.tcpkit.app.bench;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/** The final report for people: what ran, then one line each for connections, throughput, latency and errors. */
public final class TextReport {
    private TextReport() {}

    /** The report, lines ending in {@code \n}. */
    public static String format(BenchResult r) {
        BenchConfig c = r.config();
        StringBuilder out = new StringBuilder();
        out.append(header(r)).append('\n');
        String served = c.mode() == BenchMode.CONNECT ? String.format(Locale.ROOT, ", %,d served", r.messages()) : "";
        line(
                out,
                "connections",
                String.format(
                        Locale.ROOT,
                        "%,d established in %s, %,d open at the end%s",
                        r.established(),
                        Units.latency(r.connectMillis() * 1e6),
                        r.alive(),
                        served));
        if (c.mode() == BenchMode.CONNECT) {
            line(out, "connect", percentiles(r.connectLatency()));
            line(out, "echo", percentiles(r.latency()));
        } else {
            String rates = c.mode() == BenchMode.STREAM
                    ? String.format(
                            Locale.ROOT,
                            "%s MB/s, %,.0f chunks/s",
                            Units.megabytes(r.megabytesPerSecond() * 1e6),
                            r.messagesPerSecond())
                    : String.format(
                            Locale.ROOT,
                            "%,.0f msgs/s, %s MB/s",
                            r.messagesPerSecond(),
                            Units.megabytes(r.megabytesPerSecond() * 1e6));
            line(
                    out,
                    "throughput",
                    String.format(
                            Locale.ROOT,
                            "%s (%,d messages, %s MB in %.3f s)",
                            rates,
                            r.messages(),
                            Units.megabytes((double) r.bytes()),
                            r.measuredSeconds()));
            line(out, "latency", percentiles(r.latency()));
        }
        if (c.udp()) {
            line(
                    out,
                    "lost",
                    String.format(Locale.ROOT, "%,d datagrams not echoed within %s", r.lost(), Units.latency((double)
                            c.timeout().toNanos())));
        }
        line(out, "errors", errors(r));
        return out.toString();
    }

    /**
     * {@code tcpkit report}'s: which logs, how many intervals over which wall-clock span, then the merged latencies
     * as a run reports them (connect mode: {@code connect} and {@code echo}).
     */
    public static String format(MergedLogs m) {
        StringBuilder out = new StringBuilder();
        int logs = m.files().size();
        String span = m.intervals() == 0
                ? "no intervals"
                : String.format(
                        Locale.ROOT,
                        "%,d intervals from %s to %s",
                        m.intervals(),
                        Instant.ofEpochMilli(m.startMillis()),
                        Instant.ofEpochMilli(m.endMillis()));
        out.append(String.format(
                Locale.ROOT,
                "tcpkit report: %,d log%s (%s), %s%n",
                logs,
                logs == 1 ? "" : "s",
                m.files().stream().map(Path::toString).collect(Collectors.joining(", ")),
                span));
        if (m.connectLatency().getTotalCount() > 0) {
            line(out, "connect", percentiles(m.connectLatency()));
            line(out, "echo", percentiles(m.latency()));
        } else {
            line(out, "latency", percentiles(m.latency()));
        }
        return out.toString();
    }

    private static String header(BenchResult r) {
        BenchConfig c = r.config();
        List<String> parts = new ArrayList<>();
        parts.add(c.mode().displayName() + (c.udp() ? " over UDP" : ""));
        parts.add(String.format(Locale.ROOT, "%,d connection%s", c.connections(), c.connections() == 1 ? "" : "s"));
        parts.add(Units.size(c.size()) + (c.mode() == BenchMode.STREAM ? " chunks" : " messages"));
        if (c.mode() == BenchMode.CONNECT) {
            parts.add("held " + Units.latency((double) c.duration().toNanos()));
            if (c.rate() > 0) {
                parts.add(String.format(Locale.ROOT, "%,.0f connects/s", c.rate()));
            }
        } else {
            parts.add(c.effectiveDepth() + " in flight");
            if (c.rate() > 0) {
                parts.add(String.format(Locale.ROOT, "open loop at %,.0f msgs/s", c.rate()));
            }
            String length = c.count() > 0
                    ? String.format(Locale.ROOT, "%,d messages", c.count())
                    : Units.latency((double) c.duration().toNanos());
            parts.add(length + " after " + Units.latency((double) c.warmup().toNanos()) + " warmup");
        }
        parts.add(r.transport().displayName());
        parts.add(r.threads() + (r.threads() == 1 ? " thread" : " threads"));
        String through = c.proxy() != null ? " through " + c.proxy() : ""; // never the credentials: ProxyUrl
        return "tcpkit bench " + c.displayAddress() + through + ": " + String.join(", ", parts);
    }

    private static void line(StringBuilder out, String label, String text) {
        out.append(String.format(Locale.ROOT, "  %-12s %s%n", label, text));
    }

    /** {@code p50 531µs  p90 612µs  p99 1.02ms  p99.9 2.10ms  max 4.30ms  (889,021 samples)}. */
    static String percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "no samples";
        }
        return String.format(
                Locale.ROOT,
                "p50 %s  p90 %s  p99 %s  p99.9 %s  max %s  (%,d samples)",
                Units.latency((double) h.getValueAtPercentile(50)),
                Units.latency((double) h.getValueAtPercentile(90)),
                Units.latency((double) h.getValueAtPercentile(99)),
                Units.latency((double) h.getValueAtPercentile(99.9)),
                Units.latency((double) h.getMaxValue()),
                h.getTotalCount());
    }

    private static String errors(BenchResult r) {
        ErrorCounts e = r.errors();
        List<String> kinds = new ArrayList<>();
        add(kinds, "mismatch", e.mismatch());
        add(kinds, "short", e.shortEchoes());
        add(kinds, "reset", e.reset());
        add(kinds, "connect", e.connect());
        add(kinds, "eof", e.eof());
        String text = kinds.isEmpty() ? "none" : String.join(", ", kinds);
        if (r.stalled()) {
            long stall = r.config().timeout().toNanos() * (r.config().udp() ? 2 : 1);
            text += " (stalled: no echo for " + Units.latency((double) stall) + ", run cut short)";
        }
        return text;
    }

    private static void add(List<String> kinds, String name, long count) {
        if (count > 0) {
            kinds.add(String.format(Locale.ROOT, "%s %,d", name, count));
        }
    }
}
