package dev.tcpkit.output;

import dev.tcpkit.internal.EncodingWriter;
import dev.tcpkit.internal.Errors;
import dev.tcpkit.sink.RecordSink;
import dev.tcpkit.sink.SinkBacklog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes message records to stdout (one line each) and optionally appends them to a JSON Lines file, on a thread of
 * its own so that event loops never wait for a terminal or a disk; or, made by {@link #hexDump}, appends connections'
 * traffic to a {@code --hex-dump} file, the same way.
 *
 * <p>Records are written in the order they were submitted, in batches, each batch flushed (and the file synced)
 * before the callbacks of its records run: a callback means "this record is on stdout and on disk in the file", so
 * that an acknowledgement sent from it is never for a record that is lost. {@link #write} never blocks; the queue is
 * bounded by its callers, each connection pausing its reads while too much of its output waits here (see {@code
 * PendingRecords}). An output that is only slow (a pipe nobody reads yet) makes the callbacks wait, not fail.
 *
 * <p>An output that fails (a closed pipe, a full disk, an I/O error) has failed for good: that is said once, on the
 * log, and {@link #failure()} completes. The batch it failed in and every record after it are {@linkplain #lost()
 * lost}: nothing more is written, no callback runs, and the file is cut back to its last acknowledged record (stdout
 * cannot be: it may hold the failed batch).
 */
public final class RecordWriter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RecordWriter.class);
    private static final int BATCH = 1024;
    /** How long {@link #close()} waits for the outputs: as long as the server's default drain timeout. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
    /** What {@link #failure()} completes with: the reason the server gives its connections as it stops. */
    private static final String OUTPUT_FAILED = "output failed";

    private final Writer stdout;
    /** Stdout's bytes, when it encodes to UTF-8: {@link EncodedLines} are written there as they are. */
    private final @Nullable OutputStream stdoutUtf8;
    /** Whether chars may wait in stdout's encoder: flushed before bytes are written past it. */
    private boolean charsWritten;
    /** Replaced by {@link #reopen}; only the writer thread touches it once started. */
    private @Nullable LinesFile file;
    /** What {@link #reload} says it reopened, if there is a file. */
    private final @Nullable String fileKind;

    private final BlockingQueue<Entry> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final CompletableFuture<String> failure = new CompletableFuture<>();
    /** Records handed to {@link #write}. */
    private final LongAdder submitted = new LongAdder();
    /** Those of them now in every output. */
    private final AtomicLong written = new AtomicLong();
    /** Those of them {@link #close} gave up on: never acknowledged, counted as lost. */
    private final AtomicLong undeliveredToSink = new AtomicLong();

    private volatile boolean closed;
    /** Whether an output failed; only the writer thread touches it and what follows. */
    private boolean failed;
    /** Encodes each message record's JSON once, for the file and the sink alike. */
    private final RecordJsonEncoder json;
    /** The JSON of the batch's message records, in order, from the file's append to the sink; a new list a batch. */
    private List<byte[]> sinkJson = new ArrayList<>();

    /** The line being written, reused. */
    private final StringBuilder line = new StringBuilder(256);

    private char[] chars = new char[256];

    /**
     * Records and their callback; or, with {@code reopened}, a request to reopen the file; with neither, the stop
     * signal from {@link #close}.
     */
    private record Entry(
            @Nullable List<? extends OutputRecord> records,
            @Nullable Runnable onWritten,
            @Nullable Consumer<Throwable> onRejected,
            @Nullable CompletableFuture<Boolean> reopened) {}

    private static final Entry STOP = new Entry(null, null, null, null);

    /** Where records go beside stdout and the file (Kafka), on a thread of their own; or {@code null}. */
    private final @Nullable SinkFeed sink;
    /** The records on their way to the sink; {@code null} without one. */
    private final @Nullable Backlog backlog;
    /** The service name, the sink meters' tag (the JSON's is {@link #json}'s). */
    private final String service;

    /**
     * Starts a writer.
     *
     * @param stdout where record lines go; flushed after every batch, never closed. Give a writer whose writes throw
     *     when they fail: a {@code PrintWriter} hides why (its failure is still seen, as a {@code write error})
     * @param jsonLines a file to append JSON Lines to, or {@code null}
     * @param service the service name written in each JSON record
     * @throws IOException if the file cannot be opened for appending
     */
    public RecordWriter(Writer stdout, @Nullable Path jsonLines, String service) throws IOException {
        this(stdout, jsonLines, service, null);
    }

    /**
     * Starts a writer that also sends each message record to {@code sink}: a record's callback then runs only once
     * the sink has it too.
     *
     * @throws IOException if the file cannot be opened for appending
     */
    public RecordWriter(Writer stdout, @Nullable Path jsonLines, String service, @Nullable RecordSink sink)
            throws IOException {
        this(stdout, jsonLines == null ? null : new JsonLinesFile(jsonLines), service, sink);
    }

    /**
     * Starts a writer of {@link HexDumpChunk}s to a {@code --hex-dump} file, nothing on stdout.
     *
     * @throws IOException if the file cannot be opened for appending
     */
    public static RecordWriter hexDump(Path file) throws IOException {
        return new RecordWriter(Writer.nullWriter(), new HexDumpFile(file), "hex-dump", null);
    }

    private RecordWriter(Writer stdout, @Nullable LinesFile file, String service, @Nullable RecordSink sink) {
        this.sink = sink == null ? null : new SinkFeed(sink);
        this.backlog = this.sink == null ? null : new Backlog(this.sink);
        this.service = service;
        this.json = new RecordJsonEncoder(service);
        this.stdout = stdout;
        this.stdoutUtf8 =
                stdout instanceof EncodingWriter e && e.charset().equals(StandardCharsets.UTF_8) ? e.bytes() : null;
        this.file = file;
        this.fileKind = file == null ? null : file.what();
        this.thread = new Thread(this::run, "tcpkit-output");
        // Left behind, blocked in a write, when an output takes nothing until close() gives up on it.
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Whether {@link EncodedLines} can be written: stdout takes UTF-8 bytes, and nothing else (a file, a sink) needs
     * the records' text.
     */
    public boolean takesEncodedLines() {
        return stdoutUtf8 != null && fileKind == null && sink == null;
    }

    /**
     * Queues a record without blocking; {@code onWritten} runs on the writer thread once the record is flushed to
     * stdout and the file, and never if it could not be.
     */
    public void write(MessageRecord record, @Nullable Runnable onWritten) {
        write(List.of(record), onWritten);
    }

    /**
     * Queues records without blocking, in order; {@code onWritten} runs on the writer thread once all of them are
     * flushed to stdout and the file, and never if they could not be. One call per burst of records spares the writer
     * a wake-up per record.
     */
    public void write(List<? extends OutputRecord> records, @Nullable Runnable onWritten) {
        write(records, onWritten, null);
    }

    /**
     * As {@link #write(List, Runnable)}; {@code onRejected} runs, once, if the {@link RecordSink} refused one of the
     * records for good ({@code onWritten} then never runs).
     */
    public void write(
            List<? extends OutputRecord> records,
            @Nullable Runnable onWritten,
            @Nullable Consumer<Throwable> onRejected) {
        if (closed) {
            records.forEach(RecordWriter::release);
            throw new IllegalStateException("record writer is closed");
        }
        submitted.add(count(records));
        queue.add(new Entry(records, onWritten, onRejected, null));
    }

    /**
     * Closes the {@code --output} (or {@code --hex-dump}) file and opens it again at its path, for a log rotation that
     * renamed it: the records queued before this call are written to the old file (and acknowledged once synced
     * there), those after it to the new one; none is lost or written twice. Done on the writer's thread, between two
     * batches.
     *
     * @return completes with {@code true} once reopened, {@code false} if this writer has no file; exceptionally with an
     *     {@link IOException} saying in one line why the path cannot be opened, in which case the old file is kept
     */
    public CompletionStage<Boolean> reopen() {
        CompletableFuture<Boolean> reopened = new CompletableFuture<>();
        if (closed) {
            reopened.completeExceptionally(new IOException("the output is closed"));
        } else {
            queue.add(new Entry(null, null, null, reopened));
        }
        return reopened;
    }

    /**
     * {@link #reopen} for {@code Service.reload}: waits at most 10 s and says what was reloaded.
     *
     * @return {@code ["output file"]} (or {@code ["hex dump file"]}) once reopened, empty without a file
     * @throws IOException in one line, if the file cannot be reopened or the writer did not get to it in time (a stdout
     *     nobody reads holds it); the old file is kept
     */
    public List<String> reload() throws IOException {
        try {
            return reopen().toCompletableFuture().get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    ? List.of(String.valueOf(fileKind))
                    : List.of();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw cause instanceof IOException io ? io : new IOException(Errors.reason(cause), cause);
        } catch (TimeoutException e) {
            throw new IOException(fileKind + " not reopened: the writer is busy (an output not read?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reopening the output file", e);
        }
    }

    /**
     * Completes, with {@code "output failed"}, when stdout or the file fails for the first time. Never completes while
     * the outputs work.
     */
    public CompletionStage<String> failure() {
        return failure.minimalCompletionStage();
    }

    /** The records on their way to the sink, if there is one. */
    public @Nullable SinkBacklog sinkBacklog() {
        return backlog;
    }

    /** What {@link #sinkBacklog} shows: one object, as long-lived as the writer (a gauge holds it weakly). */
    private final class Backlog implements SinkBacklog {
        private final SinkFeed feed;

        Backlog(SinkFeed feed) {
            this.feed = feed;
        }

        @Override
        public String sink() {
            return feed.sink().name();
        }

        @Override
        public long inFlight() {
            // Every record of a writer with a sink is a message record: those not on stdout yet wait for it too.
            return Math.max(0, submitted.sum() - written.get()) + feed.pending();
        }

        @Override
        public long oldestAgeMillis() {
            return feed.oldestAgeMillis();
        }
    }

    /**
     * The sink's backlog (records in flight, the oldest one's age) and its own meters, for {@code /metrics}; nothing
     * without a sink.
     */
    public void bindMeters(MeterRegistry registry) {
        Backlog b = backlog;
        if (b == null) {
            return;
        }
        Tags tags = Tags.of("service", service);
        Gauge.builder("tcpkit.sink.records.in.flight", b, SinkBacklog::inFlight)
                .description("Records on their way to the sink (Kafka) and not yet acknowledged by it")
                .tags(tags)
                .register(registry);
        TimeGauge.builder("tcpkit.sink.oldest.record.age", b, TimeUnit.MILLISECONDS, SinkBacklog::oldestAgeMillis)
                .description("How long the oldest record not yet acknowledged by the sink has waited")
                .tags(tags)
                .register(registry);
        b.feed.sink().bindMeters(registry);
    }

    /**
     * Records handed to {@link #write} that are not in every output: an output failed, or {@link #close} gave up
     * waiting for them. Final once {@code close} has returned.
     */
    public long lost() {
        return submitted.sum() - written.get() + undeliveredToSink.get();
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
            // A reopen ends a batch: what came before it is written and synced to the old file first.
            int start = 0;
            for (int i = 0; i < batch.size(); i++) {
                Entry entry = batch.get(i);
                CompletableFuture<Boolean> reopened = entry.reopened();
                if (reopened != null) {
                    writeAll(batch.subList(start, i));
                    reopenFile(reopened);
                    start = i + 1;
                } else if (entry.records() == null) {
                    stop = true;
                }
            }
            writeAll(batch.subList(start, batch.size()));
            batch.clear();
        }
        closeFile();
    }

    /** Appends the entries' records to every output, flushes, and on success runs their callbacks. */
    private void writeAll(List<Entry> entries) {
        int records = 0;
        for (Entry entry : entries) {
            List<? extends OutputRecord> entryRecords = entry.records();
            if (entryRecords != null) {
                entryRecords.forEach(this::append);
                records += count(entryRecords);
            }
        }
        if (records == 0 && entries.stream().allMatch(e -> e.onWritten() == null)) {
            return;
        }
        if (!flush()) {
            sinkJson.clear();
            return;
        }
        written.addAndGet(records);
        SinkFeed feed = sink;
        List<SinkFeed.Group> groups = new ArrayList<>();
        int next = 0;
        for (Entry entry : entries) {
            Runnable callback = entry.onWritten();
            List<? extends OutputRecord> entryRecords = entry.records();
            int messages = entryRecords == null ? 0 : messages(entryRecords);
            if (feed != null && entryRecords != null && messages > 0) {
                groups.add(feed.new Group(entryRecords, sinkJson, next, messages, callback, entry.onRejected()));
                next += messages;
            } else if (callback != null) {
                runQuietly(callback);
            }
        }
        if (feed != null && !groups.isEmpty()) {
            feed.hand(groups);
            sinkJson = new ArrayList<>();
        }
    }

    private static int messages(List<? extends OutputRecord> records) {
        int messages = 0;
        for (OutputRecord record : records) {
            if (record instanceof MessageRecord) {
                messages++;
            }
        }
        return messages;
    }

    private void reopenFile(CompletableFuture<Boolean> reopened) {
        LinesFile old = file;
        if (old == null) {
            reopened.complete(false);
            return;
        }
        if (failed) {
            reopened.completeExceptionally(new IOException("the output failed before"));
            return;
        }
        try {
            file = old.reopened();
        } catch (IOException e) {
            reopened.completeExceptionally(e);
            return;
        }
        try {
            old.close();
        } catch (IOException e) {
            log.warn("cannot close the rotated output file {}: {}", old.path(), Errors.reason(e));
        }
        reopened.complete(true);
    }

    /** A failing callback (its event loop already shut down, say) must not stop the records after it. */
    static void runQuietly(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            log.debug("record callback failed: {}", e.toString());
        }
    }

    private void append(OutputRecord record) {
        try {
            if (failed) {
                return;
            }
            try {
                if (record instanceof MessageRecord message) {
                    writeLine(message);
                } else if (record instanceof EncodedLines lines) {
                    writeBytes(lines);
                }
            } catch (IOException e) {
                stdoutFailed(e);
                return;
            }
            byte @Nullable [] encoded = null;
            if (record instanceof MessageRecord message && (file != null || sink != null)) {
                encoded = json.encode(message); // once, for the file and the sink alike
                if (sink != null) {
                    sinkJson.add(encoded);
                }
            }
            LinesFile f = file;
            if (f != null) {
                try {
                    f.append(record, encoded);
                } catch (IOException e) {
                    failed(f.path().toString(), e);
                }
            }
        } finally {
            release(record);
        }
    }

    private static int count(List<? extends OutputRecord> records) {
        int n = 0;
        for (OutputRecord record : records) {
            n += record.records();
        }
        return n;
    }

    /** A hex dump chunk holds its bytes until written, or dropped. */
    private static void release(OutputRecord record) {
        if (record instanceof HexDumpChunk chunk) {
            chunk.bytes().release();
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
        charsWritten = true;
    }

    /** Copies lines already encoded in UTF-8 to stdout's bytes, behind any text still in its encoder. */
    private void writeBytes(EncodedLines lines) throws IOException {
        OutputStream out = Objects.requireNonNull(stdoutUtf8, "encoded lines without a UTF-8 stdout");
        if (charsWritten) {
            stdout.flush();
            charsWritten = false;
        }
        out.write(lines.bytes(), 0, lines.length());
    }

    /** Flushes stdout and writes out and syncs the file; returns whether every output has all records so far. */
    private boolean flush() {
        if (failed) {
            return false;
        }
        try {
            stdout.flush();
            charsWritten = false;
            // A PrintWriter swallows the IOException and keeps only this flag.
            if (stdout instanceof PrintWriter p && p.checkError()) {
                throw new IOException("write error");
            }
        } catch (IOException e) {
            stdoutFailed(e);
            return false;
        }
        LinesFile f = file;
        if (f != null) {
            try {
                f.flush();
            } catch (IOException e) {
                failed(f.path().toString(), e);
                return false; // the file cut itself back
            }
        }
        return true;
    }

    /** The records of the batch may be in the file already: they are taken out again, as they are not acknowledged. */
    private void stdoutFailed(IOException e) {
        LinesFile f = file;
        if (f != null) {
            try {
                f.discard();
            } catch (IOException cutBack) {
                e.addSuppressed(cutBack);
            }
        }
        failed("stdout", e);
    }

    /** Said once: nothing is written after a failure, and a closed pipe or a full disk would fail every write anyway. */
    private void failed(String output, IOException e) {
        failed = true;
        StringBuilder why = new StringBuilder(Errors.reason(e));
        for (Throwable cutBack : e.getSuppressed()) {
            why.append("; ").append(cutBack.getMessage());
        }
        log.atError()
                .addKeyValue("event", "output-failed")
                .addKeyValue("output", output)
                .addKeyValue("reason", why.toString())
                .log("{}: cannot write to {}: {}", OUTPUT_FAILED, output, why);
        failure.complete(OUTPUT_FAILED);
    }

    /** The file is the writer thread's: closed there, never while that thread may still be writing to it. */
    private void closeFile() {
        LinesFile f = file;
        if (f == null) {
            return;
        }
        try {
            f.close();
        } catch (IOException e) {
            log.error("cannot close the output file {}: {}", f.path(), Errors.reason(e));
        }
    }

    /** As {@link #close(Duration)}, waiting up to 10 s. */
    @Override
    public void close() {
        close(CLOSE_TIMEOUT);
    }

    /**
     * Writes every queued record, flushes stdout, syncs and closes the file, waiting at most {@code timeout} for the
     * outputs to take them; then says how many records were {@linkplain #lost() lost}, if any, in one line. An output
     * that takes nothing (a pipe nobody reads) is left behind with the records it did not take. Idempotent.
     */
    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        closed = true;
        queue.add(STOP);
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean finished = joinBy(thread, deadline);
        SinkFeed feed = sink;
        if (feed != null) {
            // What the writer wrote is handed over first, then the sink gets what time is left to deliver it.
            feed.stop(deadline);
            feed.sink().close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            undeliveredToSink.set(feed.pending());
        }
        long lost = lost();
        if (lost == 0) {
            return;
        }
        String why;
        if (sink != null && !failure.isDone()) {
            why = "not delivered to " + sink.sink().name() + " in the " + timeout.toMillis()
                    + " ms left to flush (--drain-timeout)";
        } else {
            why = finished
                    ? "not written to every output"
                    : "the outputs did not take them in the " + timeout.toMillis()
                            + " ms left to flush (--drain-timeout)";
        }
        log.atError()
                .addKeyValue("event", "records-lost")
                .addKeyValue("lost", lost)
                .log("{} record(s) lost: {}", lost, why);
    }

    /** Waits for {@code thread} to end until {@code deadline} ({@link System#nanoTime}); returns whether it did. */
    static boolean joinBy(Thread thread, long deadline) {
        boolean interrupted = false;
        try {
            while (thread.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedJoin(thread, left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
