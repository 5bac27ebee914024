package dev.tcpkit.output;

import dev.tcpkit.internal.Errors;
import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * A file the record writer appends whole lines to ({@code --output}'s JSON Lines, {@code --hex-dump}'s dump). A
 * subclass encodes each record into {@link #lines}; they are written out a run of whole lines at a time, and synced at
 * each {@link #flush}. When a write or a sync fails (a full disk), or another output fails ({@link #discard}), the
 * file is cut back to where it ended after the last flush that succeeded: no reader finds half a record, and the file
 * holds exactly the records of the flushes that succeeded, the ones acknowledged. A file that cannot be cut back (a
 * pipe, a device) has nothing to cut: what a write took is gone, or was never stored.
 *
 * <p>Used by the record writer's thread only.
 */
abstract class LinesFile {
    /** Encoded lines are written out once this many bytes wait, and at every {@link #flush}. */
    private static final int WRITE_OUT = 64 * 1024;

    private final Path path;
    private final FileOutputStream out;
    private final FileChannel channel;
    /** A regular file is synced at each flush and cut back on failure; a pipe or a device can be neither. */
    private final boolean regular;

    /** The lines appended since they were last written out: whole lines only, once a record is appended. */
    final ByteArrayOutputStream lines = new ByteArrayOutputStream(WRITE_OUT + 4096);
    /** The file's size after the last flush that succeeded: where a failed write or sync is cut back to. */
    private long flushed;

    /**
     * Opens {@code path} for appending, creating it if needed.
     *
     * @param what the file's part, for the message: {@code output file}
     * @throws IOException saying which file and why, in one line
     */
    LinesFile(Path path, String what) throws IOException {
        this.path = path;
        try {
            this.out = new FileOutputStream(path.toFile(), true);
        } catch (IOException e) {
            throw new IOException("cannot open " + what + " " + path + ": " + Errors.reason(e), e);
        }
        this.channel = out.getChannel();
        this.regular = Files.isRegularFile(path);
        this.flushed = regular ? channel.size() : 0;
    }

    /**
     * Encodes the record as whole lines into {@link #lines}, then calls {@link #appended}.
     *
     * @param json a message record's JSON, encoded once by the writer for every output that takes it; {@code null}
     *     for other records
     */
    abstract void append(OutputRecord record, byte @Nullable [] json) throws IOException;

    /**
     * A new file opened at this one's path, for after a log rotation renamed this one; this one stays open until
     * closed. Call {@link #flush} on this one first.
     *
     * @throws IOException saying which file and why, in one line
     */
    abstract LinesFile reopened() throws IOException;

    /** What {@code reload()} says it reopened: {@code output file}. */
    abstract String what();

    /** The file's path, as given. */
    final Path path() {
        return path;
    }

    /** Writes out what waits once that is {@value #WRITE_OUT} bytes; on failure, cuts the file back to the last flush. */
    final void appended() throws IOException {
        if (lines.size() >= WRITE_OUT) {
            try {
                writeOut();
            } catch (IOException e) {
                throw cutBack(e);
            }
        }
    }

    /** Writes out every line appended and syncs them to disk; on failure, cuts the file back to the last flush. */
    final void flush() throws IOException {
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
    final void discard() throws IOException {
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
    final void close() throws IOException {
        out.close();
    }
}
