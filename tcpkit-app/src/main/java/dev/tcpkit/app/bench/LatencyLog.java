package dev.tcpkit.app.bench;

import dev.tcpkit.internal.Errors;
import java.io.Closeable;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.jspecify.annotations.Nullable;

/**
 * {@code bench --hdr-log FILE}: the measured latencies (nanoseconds) as an HdrHistogram interval log, one interval
 * per second. Its start and base time are wall-clock time, so the logs of generators on several machines line up;
 * {@code tcpkit report} merges them ({@link MergedLogs}). In connect mode the connect latencies are one more interval,
 * tagged {@value #CONNECT_TAG}.
 */
public final class LatencyLog implements Closeable {
    /** The tag of the connect latencies' interval; the message latencies' intervals have none. */
    public static final String CONNECT_TAG = "connect";
    /** The max column in milliseconds: the values are nanoseconds. */
    private static final double NANOS_PER_MILLI = 1e6;

    private final Path file;
    private final PrintStream out;
    private final HistogramLogWriter writer;
    private boolean started;
    /** The base time: the intervals' times are seconds after it. */
    private long baseMillis;

    private LatencyLog(Path file, PrintStream out) {
        this.file = file;
        this.out = out;
        this.writer = new HistogramLogWriter(out);
    }

    /** Creates (or replaces) {@code file}, failing now rather than after the run. */
    public static LatencyLog create(Path file) throws IOException {
        try {
            return new LatencyLog(file, new PrintStream(Files.newOutputStream(file), false, "US-ASCII"));
        } catch (IOException e) {
            throw new IOException("cannot write " + file + ": " + Errors.reason(e), e);
        }
    }

    /** The header: format version, a comment, start and base time ({@code epochMillis}), the column legend. */
    void start(long epochMillis, String comment) {
        if (started) {
            return;
        }
        started = true;
        baseMillis = epochMillis;
        writer.outputLogFormatVersion();
        writer.outputComment(comment);
        writer.outputStartTime(epochMillis);
        writer.outputBaseTime(epochMillis);
        writer.outputLegend();
    }

    /** One interval, from {@code startMillis} to {@code endMillis} (wall clock); {@code tag} may be {@code null}. */
    void interval(long startMillis, long endMillis, Histogram latency, @Nullable String tag) {
        Histogram h = latency.copy();
        h.setTag(tag);
        double from = (startMillis - baseMillis) / 1e3;
        writer.outputIntervalHistogram(from, Math.max(from, (endMillis - baseMillis) / 1e3), h, NANOS_PER_MILLI);
    }

    /** Closes the file; a write that failed on the way (disk full, ...) is reported here. */
    @Override
    public void close() throws IOException {
        out.close();
        if (out.checkError()) {
            throw new IOException("cannot write " + file + ": the write failed");
        }
    }
}
