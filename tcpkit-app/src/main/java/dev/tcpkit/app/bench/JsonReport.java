package dev.tcpkit.app.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import org.HdrHistogram.Histogram;

/**
 * The final report for programs: one JSON object, always with the same fields (those that do not apply to the mode
 * are {@code null}). Latencies are in microseconds, throughput in messages and megabytes (10^6 bytes) per second.
 */
public final class JsonReport {
    private JsonReport() {}

    /** The report as one line of JSON, without a line terminator. */
    public static String format(BenchResult r) {
        return json(json -> write(json, r));
    }

    /**
     * {@code tcpkit report}'s: the logs, how many intervals and over which wall-clock span, then the merged
     * latencies with the same fields as a run's ({@code msgs} is the number of message latencies).
     */
    public static String format(MergedLogs m) {
        return json(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("logs");
            for (Path file : m.files()) {
                json.writeString(file.toString());
            }
            json.writeEndArray();
            json.writeNumberField("intervals", m.intervals());
            json.writeFieldName("start");
            json.writeString(
                    m.intervals() == 0
                            ? null
                            : Instant.ofEpochMilli(m.startMillis()).toString());
            json.writeFieldName("end");
            json.writeString(
                    m.intervals() == 0
                            ? null
                            : Instant.ofEpochMilli(m.endMillis()).toString());
            json.writeNumberField("msgs", m.latency().getTotalCount());
            latency(json, "latency_us", m.latency());
            latency(json, "connect_latency_us", m.connectLatency());
            json.writeEndObject();
        });
    }

    /** What {@code body} writes, as a string. */
    private static String json(JsonBody body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = new JsonFactory().createGenerator(out)) {
            body.write(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private interface JsonBody {
        void write(JsonGenerator json) throws IOException;
    }

    private static void write(JsonGenerator json, BenchResult r) throws IOException {
        BenchConfig c = r.config();
        boolean connectMode = c.mode() == BenchMode.CONNECT;
        json.writeStartObject();
        json.writeStringField("mode", c.mode().displayName());
        json.writeBooleanField("udp", c.udp());
        json.writeStringField("host", c.host());
        json.writeNumberField("port", c.port());
        json.writeStringField("transport", r.transport().displayName());
        json.writeNumberField("threads", r.threads());
        json.writeNumberField("connections", c.connections());
        json.writeNumberField("size", c.size());
        json.writeNumberField("depth", c.effectiveDepth());
        json.writeNumberField("rate", c.rate());
        json.writeNumberField("duration_s", c.duration().toNanos() / 1e9);
        json.writeNumberField("warmup_s", connectMode ? 0 : c.warmup().toNanos() / 1e9);
        json.writeNumberField("count", c.count());
        json.writeNumberField("established", r.established());
        json.writeNumberField("alive", r.alive());
        json.writeFieldName("served");
        if (connectMode) {
            json.writeNumber(r.messages());
        } else {
            json.writeNull();
        }
        json.writeNumberField("connect_ms", round(r.connectMillis(), 1));
        json.writeNumberField("measured_s", round(r.measuredSeconds(), 3));
        json.writeNumberField("msgs", r.messages());
        json.writeNumberField("bytes", r.bytes());
        json.writeNumberField("msgs_per_s", round(r.messagesPerSecond(), 1));
        json.writeNumberField("mb_per_s", round(r.megabytesPerSecond(), 2));
        latency(json, "latency_us", r.latency());
        latency(json, "connect_latency_us", r.connectLatency());
        ErrorCounts e = r.errors();
        json.writeObjectFieldStart("errors");
        json.writeNumberField("connect", e.connect());
        json.writeNumberField("reset", e.reset());
        json.writeNumberField("mismatch", e.mismatch());
        json.writeNumberField("short", e.shortEchoes());
        json.writeNumberField("eof", e.eof());
        json.writeEndObject();
        json.writeFieldName("lost");
        if (c.udp()) {
            json.writeNumber(r.lost());
        } else {
            json.writeNull();
        }
        json.writeBooleanField("stalled", r.stalled());
        json.writeBooleanField("ok", r.clean());
        json.writeEndObject();
    }

    private static void latency(JsonGenerator json, String name, Histogram h) throws IOException {
        json.writeObjectFieldStart(name);
        json.writeNumberField("samples", h.getTotalCount());
        boolean any = h.getTotalCount() > 0;
        field(json, "p50", any ? h.getValueAtPercentile(50) : 0);
        field(json, "p90", any ? h.getValueAtPercentile(90) : 0);
        field(json, "p99", any ? h.getValueAtPercentile(99) : 0);
        field(json, "p999", any ? h.getValueAtPercentile(99.9) : 0);
        field(json, "max", any ? h.getMaxValue() : 0);
        json.writeNumberField("mean", round(any ? h.getMean() / 1e3 : 0, 1));
        json.writeEndObject();
    }

    private static void field(JsonGenerator json, String name, long nanos) throws IOException {
        json.writeNumberField(name, round(nanos / 1e3, 1));
    }

    private static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }
}
