package dev.tcpkit.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tcpkit.internal.Errors;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes message records to stdout (one line each) and optionally appends them to a JSON Lines file, on a thread of
 * its own so that event loops never wait for a terminal or a disk.
 *
 * <p>Records are written in the order they were submitted, in batches, each batch flushed before the callbacks of
 * its records run: a callback means "this record is on stdout and on disk in the file" (the file is synced per
 * batch). {@link #write} never blocks; the queue is bounded by its callers, each connection pausing its reads while
 * too much of its output waits here (see {@code MessageHandler}). {@link #close} writes everything submitted, then flushes and syncs the file.
 */
public final class RecordWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RecordWriter.class);
    private static final int BATCH = 1024;

    private final Writer stdout;
    private final @Nullable FileOutputStream file;
    private final @Nullable JsonGenerator json;
    private final String service;
    private final BlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;
    private boolean stdoutFailed;
    /** The line being written, reused: only the writer thread touches it. */
    private final StringBuilder line = new StringBuilder(256);

    private char[] chars = new char[256];
    private boolean fileFailed;

    /** Records and their callback; no records is the stop signal from {@link #close}. */
    private record Entry(
            @Nullable List<MessageRecord> records, @Nullable Runnable onWritten) {}

    private static final Entry STOP = new Entry(null, null);

    /**
     * Starts a writer.
     *
     * @param stdout where record lines go; flushed after every batch, never closed
     * @param jsonLines a file to append JSON Lines to, or {@code null}
     * @param service the service name written in each JSON record
     * @throws IOException if the file cannot be opened for appending
     */
    public RecordWriter(Writer stdout, @Nullable Path jsonLines, String service) throws IOException {
        this.stdout = stdout;
        this.service = service;
        if (jsonLines != null) {
            FileOutputStream out = openAppend(jsonLines);
            this.file = out;
            this.json = new JsonFactory().createGenerator((OutputStream) out);
            this.json.setRootValueSeparator(null);
        } else {
            this.file = null;
            this.json = null;
        }
        this.thread = new Thread(this::run, "tcpkit-output");
        this.thread.start();
    }

    private static FileOutputStream openAppend(Path path) throws IOException {
        try {
            return new FileOutputStream(path.toFile(), true);
        } catch (IOException e) {
            throw new IOException("cannot open output file " + path + ": " + Errors.reason(e), e);
        }
    }

    /**
     * Queues a record without blocking; {@code onWritten} runs on the writer thread once the record is flushed to
     * stdout and the file.
     */
    public void write(MessageRecord record, @Nullable Runnable onWritten) {
        write(List.of(record), onWritten);
    }

    /**
     * Queues records without blocking, in order; {@code onWritten} runs on the writer thread once all of them are
     * flushed to stdout and the file. One call per burst of records spares the writer a wake-up per record.
     */
    public void write(List<MessageRecord> records, @Nullable Runnable onWritten) {
        if (closed) {
            throw new IllegalStateException("record writer is closed");
        }
        queue.add(new Entry(records, onWritten));
    }

    private void run() {
        List<Entry> batch = new ArrayList<>(BATCH);
        boolean stop = false;
        while (!stop) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                continue; // only close() stops this thread, through STOP, so that nothing queued is lost
            }
            queue.drainTo(batch, BATCH - 1);
            for (Entry entry : batch) {
                List<MessageRecord> records = entry.records();
                if (records == null) {
                    stop = true;
                } else {
                    records.forEach(this::append);
                }
            }
            flush();
            for (Entry entry : batch) {
                Runnable callback = entry.onWritten();
                if (callback != null) {
                    runQuietly(callback);
                }
            }
            batch.clear();
        }
    }

    /** A failing callback (its event loop already shut down, say) must not stop the records after it. */
    private static void runQuietly(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.debug("record callback failed: {}", e.toString());
        }
    }

    private void append(MessageRecord record) {
        if (!stdoutFailed) {
            try {
                writeLine(record);
            } catch (IOException e) {
                stdoutFailed(e);
            }
        }
        JsonGenerator gen = json;
        if (gen != null && !fileFailed) {
            try {
                gen.writeStartObject();
                gen.writeStringField("time", RecordFormat.time(record.timeMillis()));
                gen.writeStringField("service", service);
                gen.writeStringField("client", record.client());
                String name = record.name();
                if (name != null) {
                    gen.writeStringField("name", name);
                }
                gen.writeNumberField("bytes", record.bytes());
                gen.writeStringField("text", record.text());
                gen.writeEndObject();
                gen.writeRaw('\n');
            } catch (IOException e) {
                fileFailed(e);
            }
        }
    }

    /**
     * Writes the record's line as a char array: a {@code Writer} encodes an array in bulk, but a {@code String}
     * character by character, which made stdout the bottleneck of {@code log} at high rates.
     */
    private void writeLine(MessageRecord record) throws IOException {
        line.setLength(0);
        RecordFormat.appendLine(record, line).append('\n');
        int length = line.length();
        if (chars.length < length) {
            chars = new char[Math.max(length, 2 * chars.length)];
        }
        line.getChars(0, length, chars, 0);
        stdout.write(chars, 0, length);
    }

    private void flush() {
        try {
            if (!stdoutFailed) {
                stdout.flush();
            }
        } catch (IOException e) {
            stdoutFailed(e);
        }
        JsonGenerator gen = json;
        FileOutputStream out = file;
        if (gen != null && out != null && !fileFailed) {
            try {
                gen.flush();
                out.getChannel().force(false); // durable before any record of the batch is acknowledged
            } catch (IOException e) {
                fileFailed(e);
            }
        }
    }

    /** Logged once: a closed stdout (a pipe whose reader left) fails every later write the same way. */
    private void stdoutFailed(IOException e) {
        stdoutFailed = true;
        log.error("cannot write to stdout, records go on only to --output: {}", e.toString());
    }

    /** Logged once, like stdout: a full disk fails every later write the same way. */
    private void fileFailed(IOException e) {
        fileFailed = true;
        log.error("cannot write to the output file, records go on only to stdout: {}", e.toString());
    }

    /** Writes every queued record, flushes stdout, syncs and closes the file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        closeFile();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeFile() {
        JsonGenerator gen = json;
        FileOutputStream out = file;
        if (gen == null || out == null) {
            return;
        }
        try {
            gen.flush();
            out.getFD().sync();
            gen.close();
        } catch (IOException e) {
            log.error("cannot close the output file: {}", e.toString());
        }
    }
}
