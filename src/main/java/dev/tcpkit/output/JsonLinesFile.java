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
 * The {@code --output} file: records appended as JSON Lines, and only ever whole lines. Records are encoded in memory
 * and written out a run of whole lines at a time; when a write fails (a full disk), the file is cut back to the end
 * of the last whole line, so that no reader finds half a record. A file that cannot be cut back (a pipe, a device)
 * has nothing to cut: what the write took is gone, or was never stored.
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
    /** The file's size after the last whole line written: where a failed write is cut back to. */
    private long end;

    private JsonLinesFile(Path path, String service, FileOutputStream out) throws IOException {
        this.path = path;
        this.service = service;
        this.out = out;
        this.channel = out.getChannel();
        this.regular = Files.isRegularFile(path);
        this.end = regular ? channel.size() : 0;
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
            writeOut();
        }
    }

    /** Writes out every line appended and syncs them to disk. */
    void flush() throws IOException {
        writeOut();
        if (regular) {
            channel.force(false);
        }
    }

    private void writeOut() throws IOException {
        int size = lines.size();
        if (size == 0) {
            return;
        }
        try {
            lines.writeTo(out);
        } catch (IOException e) {
            cutBack(e);
            throw e;
        } finally {
            lines.reset();
        }
        end += size;
    }

    /** Removes what a failed write left of its lines: part of one is worse than none. */
    private void cutBack(IOException failure) {
        if (!regular) {
            return;
        }
        try {
            channel.truncate(end);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }

    /** Closes the file, without writing what waits: {@link #flush} first to keep it. */
    void close() throws IOException {
        out.close();
    }
}
