package dev.tcpkit.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tcpkit.internal.Errors;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code --output} file: records appended as JSON Lines, whole lines only. Records are encoded in memory, written
 * out a run of whole lines at a time, and synced at each {@link #flush}. When a write or a sync fails (a full disk),
 * or another output fails ({@link #discard}), the file is cut back to where it ended after the last flush that
 * succeeded: no reader finds half a record, and the file holds exactly the records of the flushes that succeeded, the
 * ones acknowledged. A file that cannot be cut back (a pipe, a device) has nothing to cut: what a write took is gone,
 * or was never stored.
 *
 * <p>Used by the record writer's thread only.
 */
final class JsonLinesFile {
    /** Encoded lines are written out once this many bytes wait, and at every {@link #flush}. */
    private static final int WRITE_OUT = 64 * 1024;

    private final Path path;
    private final String service;
    private final FileOutputStream out;
    private final FileChannel channel;
    /** A regular file is synced at each flush and cut back on failure; a pipe or a device can be neither. */
    private final boolean regular;

    private final ByteArrayOutputStream lines = new ByteArrayOutputStream(WRITE_OUT + 4096);
    private final JsonGenerator json;
    /** The file's size after the last flush that succeeded: where a failed write or sync is cut back to. */
    private long flushed;

    private JsonLinesFile(Path path, String service, FileOutputStream out) throws IOException {
        this.path = path;
        this.service = service;
        this.out = out;
        this.channel = out.getChannel();
        this.regular = Files.isRegularFile(path);
        this.flushed = regular ? channel.size() : 0;
        this.json = new JsonFactory().createGenerator(lines);
        this.json.setRootValueSeparator(null);
    }

    /**
     * Opens {@code path} for appending, creating it if needed.
     *
     * @throws IOException saying which file and why, in one line
     */
    static JsonLinesFile open(Path path, String service) throws IOException {
        try {
            return new JsonLinesFile(path, service, new FileOutputStream(path.toFile(), true));
        } catch (IOException e) {
            throw new IOException("cannot open output file " + path + ": " + Errors.reason(e), e);
        }
    }

    /**
     * A new file opened at this one's path, for after a log rotation renamed this one; this one stays open until
     * closed. Call {@link #flush} on this one first.
     *
     * @throws IOException saying which file and why, in one line
     */
    JsonLinesFile reopened() throws IOException {
        return open(path, service);
    }

    /** The file's path, as given. */
    Path path() {
        return path;
    }

    /** Encodes the record as one line; writes out what waits once that is {@value #WRITE_OUT} bytes. */
    void append(MessageRecord record) throws IOException {
        json.writeStartObject();
        json.writeStringField("time", RecordFormat.time(record.timeMillis()));
        json.writeStringField("service", service);
        json.writeStringField("client", record.client());
        String name = record.name();
        if (name != null) {
            json.writeStringField("name", name);
        }
        json.writeNumberField("bytes", record.bytes());
        json.writeStringField("text", record.text());
        json.writeEndObject();
        json.writeRaw('\n');
        json.flush(); // into memory: what waits is whole lines only
        if (lines.size() >= WRITE_OUT) {
            try {
                writeOut();
            } catch (IOException e) {
                throw cutBack(e);
            }
        }
    }

    /** Writes out every line appended and syncs them to disk; on failure, cuts the file back to the last flush. */
    void flush() throws IOException {
        try {
            writeOut();
            if (regular) {
                channel.force(false);
                flushed = channel.size();
            }
        } catch (IOException e) {
            throw cutBack(e);
        }
    }

    private void writeOut() throws IOException {
        try {
            lines.writeTo(out);
        } finally {
            lines.reset();
        }
    }

    /**
     * Drops the lines appended since the last flush, cutting back what of them was written out: another output failed
     * to take them, so they will not be acknowledged.
     */
    void discard() throws IOException {
        lines.reset();
        if (regular) {
            truncate();
        }
    }

    /** Removes what the failed flush left of its lines, part of a record being worse than none; returns the failure. */
    private IOException cutBack(IOException failure) {
        lines.reset();
        if (regular) {
            try {
                truncate();
            } catch (IOException e) {
                failure.addSuppressed(e);
            }
        }
        return failure;
    }

    private void truncate() throws IOException {
        try {
            channel.truncate(flushed);
        } catch (IOException e) {
            throw new IOException("cannot cut " + path + " back to its last record: " + Errors.reason(e), e);
        }
    }

    /** Closes the file, without writing what waits: {@link #flush} first to keep it. */
    void close() throws IOException {
        out.close();
    }
}
