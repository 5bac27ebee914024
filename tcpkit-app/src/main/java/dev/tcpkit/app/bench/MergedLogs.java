package dev.tcpkit.app.bench;

import dev.tcpkit.internal.Errors;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * {@code tcpkit report}: HdrHistogram interval logs ({@code bench --hdr-log}, from one or several generators) added
 * into one histogram, so that its percentiles are those of every latency of every log, not averages of percentiles.
 *
 * @param files the logs, in the order given
 * @param intervals how many intervals they held
 * @param startMillis the earliest interval start, wall clock ({@code 0} without intervals)
 * @param endMillis the latest interval end, wall clock ({@code 0} without intervals)
 * @param latency the message latencies of every log, in nanoseconds
 * @param connectLatency the connect latencies (intervals tagged {@value LatencyLog#CONNECT_TAG}), in nanoseconds
 */
public record MergedLogs(
        List<Path> files,
        int intervals,
        long startMillis,
        long endMillis,
        Histogram latency,
        Histogram connectLatency) {

    /** The line {@link org.HdrHistogram.HistogramLogWriter} starts a log with; a file without it is not a log. */
    private static final String FORMAT_LINE = "#[Histogram log format version";

    public MergedLogs {
        files = List.copyOf(files);
    }

    /**
     * Reads and adds up {@code files}.
     *
     * @throws IOException with one line naming the file, if one cannot be read or is not an interval log
     */
    public static MergedLogs read(List<Path> files) throws IOException {
        // Resizes: a log from another tool may hold values beyond what bench records.
        Histogram latency = new Histogram(3);
        Histogram connectLatency = new Histogram(3);
        int intervals = 0;
        long start = Long.MAX_VALUE;
        long end = 0;
        for (Path file : files) {
            int lines = intervalLines(file);
            int read = 0;
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                HistogramLogReader reader = new HistogramLogReader(in);
                EncodableHistogram next;
                while ((next = nextInterval(reader, file)) != null) {
                    if (!(next instanceof Histogram interval)) {
                        throw notALog(file, "it holds floating-point histograms, not latencies");
                    }
                    (LatencyLog.CONNECT_TAG.equals(interval.getTag()) ? connectLatency : latency).add(interval);
                    read++;
                    start = Math.min(start, interval.getStartTimeStamp());
                    end = Math.max(end, interval.getEndTimeStamp());
                }
                if (read != lines) { // the reader stops quietly at a line it cannot parse
                    throw notALog(file, "interval " + (read + 1) + " of " + lines + " cannot be decoded");
                }
                intervals += read;
            } catch (NotALogException e) {
                throw e;
            } catch (IOException e) {
                throw new IOException("cannot read " + file + ": " + Errors.reason(e), e);
            }
        }
        return new MergedLogs(files, intervals, intervals == 0 ? 0 : start, end, latency, connectLatency);
    }

    /**
     * How many interval lines {@code file} has (neither comment, legend nor blank), after checking that the comment
     * lines that head it include the format line (a tool may write a comment first).
     */
    private static int intervalLines(Path file) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            boolean formatLine = false;
            int intervals = 0;
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("#")) {
                    formatLine |= intervals == 0 && line.startsWith(FORMAT_LINE);
                } else if (!line.isBlank() && !line.startsWith("\"StartTimestamp\"")) {
                    intervals++;
                }
            }
            if (!formatLine) {
                throw notALog(file, "no \"" + FORMAT_LINE + "\" line at its head");
            }
            return intervals;
        } catch (NotALogException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException("cannot read " + file + ": " + Errors.reason(e), e);
        }
    }

    /** The next interval; a line the reader cannot decode means the file is damaged. */
    private static EncodableHistogram nextInterval(HistogramLogReader reader, Path file) throws NotALogException {
        try {
            return reader.nextIntervalHistogram();
        } catch (RuntimeException e) {
            throw notALog(file, "a line cannot be decoded");
        }
    }

    private static NotALogException notALog(Path file, String why) {
        return new NotALogException(file + " is not an HdrHistogram interval log: " + why);
    }

    /** A file that is not, or no longer, an interval log: its message is the whole line. */
    private static final class NotALogException extends IOException {
        private static final long serialVersionUID = 1L;

        NotALogException(String message) {
            super(message);
        }
    }
}
