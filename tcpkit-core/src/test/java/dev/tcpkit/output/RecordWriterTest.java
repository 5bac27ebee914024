package dev.tcpkit.output;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcpkit.internal.EncodingWriter;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.SmallTmpfs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
final class RecordWriterTest {

    @Test
    void aReopenSplitsTheRecordsBetweenTheRenamedFileAndANewOneWithoutLosingAny(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.jsonl");
        Path rotated = dir.resolve("out.jsonl.1");
        AtomicInteger acknowledged = new AtomicInteger();
        try (RecordWriter writer = new RecordWriter(new StringWriter(), file, "log")) {
            for (int i = 0; i < 1000; i++) {
                writer.write(new MessageRecord(0, "c:1", "m" + i, 2), acknowledged::incrementAndGet);
            }
            Files.move(file, rotated); // what logrotate does before it signals
            CompletableFuture<Boolean> reopened = writer.reopen().toCompletableFuture();
            for (int i = 1000; i < 2000; i++) {
                writer.write(new MessageRecord(0, "c:1", "m" + i, 2), acknowledged::incrementAndGet);
            }
            assertThat(reopened.get(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(acknowledged).hasValue(2000);
        List<String> before = Files.readAllLines(rotated, UTF_8);
        List<String> after = Files.readAllLines(file, UTF_8);
        assertThat(before).hasSize(1000);
        assertThat(before.get(999)).contains("\"text\":\"m999\"");
        assertThat(after).hasSize(1000);
        assertThat(after.get(0)).contains("\"text\":\"m1000\"");
    }

    @Test
    void aReopenThatCannotOpenThePathKeepsTheOldFile(@TempDir Path dir) throws Exception {
        Path sub = Files.createDirectory(dir.resolve("logs"));
        Path file = sub.resolve("out.jsonl");
        Path moved = dir.resolve("moved.jsonl");
        try (RecordWriter writer = new RecordWriter(new StringWriter(), file, "log")) {
            writer.write(new MessageRecord(0, "c:1", "one", 3), null);
            Files.move(file, moved);
            Files.delete(sub); // the path cannot be opened again
            assertThatThrownBy(writer::reload)
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith("cannot open output file " + file + ": ");
            writer.write(new MessageRecord(0, "c:1", "two", 3), null);
        }
        assertThat(Files.readAllLines(moved, UTF_8)).hasSize(2);
    }

    @Test
    void writesEveryRecordInOrderToStdoutAndAsJsonLines(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.jsonl");
        StringWriter stdout = new StringWriter();
        try (RecordWriter writer = new RecordWriter(stdout, file, "log")) {
            for (int i = 0; i < 50_000; i++) {
                writer.write(new MessageRecord(0, "127.0.0.1:1", "m" + i, 2), null);
            }
        }
        List<String> lines = stdout.toString().lines().toList();
        assertThat(lines).hasSize(50_000);
        assertThat(lines.get(0)).isEqualTo("1970-01-01T00:00:00.000Z 127.0.0.1:1 >>> m0");
        assertThat(lines.get(49_999)).endsWith(" >>> m49999");
        List<String> json = Files.readAllLines(file, UTF_8);
        assertThat(json).hasSize(50_000);
        assertThat(json.get(1))
                .isEqualTo(
                        "{\"v\":1,\"time\":\"1970-01-01T00:00:00.000Z\",\"service\":\"log\",\"client\":\"127.0.0.1:1\","
                                + "\"bytes\":2,\"text\":\"m1\"}");
    }

    @Test
    void keepsTextWithNewlinesAndQuotesIntactInJson(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.jsonl");
        try (RecordWriter writer = new RecordWriter(new StringWriter(), file, "log")) {
            writer.write(new MessageRecord(0, "c:1", "a\n\"你\"", 6), null);
        }
        assertThat(Files.readString(file, UTF_8))
                .contains("\"text\":\"a\\n\\\"你\\\"\"")
                .endsWith("}\n");
    }

    @Test
    void aUtf8StdoutGetsTheSameBytesAsItsWriterWouldEncode() throws Exception {
        List<MessageRecord> records = List.of(
                new MessageRecord(0, "c:1", "plain", 5),
                new MessageRecord(0, "c:1", "你好 ü €", 8),
                new MessageRecord(0, "c:1", "a\tb\u2028c\u0085", 6),
                new MessageRecord(0, "c:1", "lone \ud800 surrogate and a pair \ud83d\ude00", 30),
                new MessageRecord(0, "c:1", "y".repeat(5000), 5000));
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        try (Writer encoder = new OutputStreamWriter(expected, UTF_8)) {
            for (MessageRecord record : records) {
                encoder.write(RecordFormat.line(record) + "\n");
            }
            encoder.write("encoded\n");
        }
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        CountDownLatch written = new CountDownLatch(1);
        byte[] encoded = "encoded\n".getBytes(UTF_8);
        try (RecordWriter writer = new RecordWriter(new EncodingWriter(stdout, UTF_8), null, "log")) {
            writer.write(records, null);
            writer.write(List.of(new EncodedLines(encoded, encoded.length, 1)), written::countDown);
            assertThat(written.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(stdout.toByteArray()).isEqualTo(expected.toByteArray());
    }

    @Test
    void runsEachCallbackOnlyOnceItsRecordIsFlushed() throws Exception {
        FlushCountingWriter stdout = new FlushCountingWriter();
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger flushesSeenByCallback = new AtomicInteger(-1);
        try (RecordWriter writer = new RecordWriter(stdout, null, "reply")) {
            writer.write(new MessageRecord(0, "c:1", "x", 1), () -> {
                flushesSeenByCallback.set(stdout.flushes.get());
                done.countDown();
            });
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(flushesSeenByCallback.get()).isPositive();
    }

    @Test
    void writesABurstInOrderAndCallsBackOnceAfterAllOfIt() throws Exception {
        StringWriter stdout = new StringWriter();
        AtomicInteger callbacks = new AtomicInteger();
        AtomicInteger linesSeenByCallback = new AtomicInteger();
        try (RecordWriter writer = new RecordWriter(stdout, null, "log")) {
            writer.write(
                    List.of(
                            new MessageRecord(0, "c:1", "one", 3),
                            new MessageRecord(0, "c:1", "two", 3),
                            new MessageRecord(0, "c:1", "a\nb", 3)),
                    () -> {
                        callbacks.incrementAndGet();
                        linesSeenByCallback.set((int) stdout.toString().lines().count());
                    });
        }
        assertThat(stdout.toString().lines().map(l -> l.substring(l.indexOf(">>> ") + 4)))
                .containsExactly("one", "two", "a\\nb");
        assertThat(callbacks).hasValue(1);
        assertThat(linesSeenByCallback).hasValue(3);
    }

    @Test
    void appendsToAnExistingFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.jsonl");
        Files.writeString(file, "{\"earlier\":true}\n", UTF_8);
        try (RecordWriter writer = new RecordWriter(new StringWriter(), file, "log")) {
            writer.write(new MessageRecord(0, "c:1", "x", 1), null);
        }
        assertThat(Files.readAllLines(file, UTF_8)).hasSize(2).first().isEqualTo("{\"earlier\":true}");
    }

    @Test
    void saysWhichFileCannotBeOpened(@TempDir Path dir) {
        Path file = dir.resolve("no/such/dir/out.jsonl");
        assertThatThrownBy(() -> new RecordWriter(new StringWriter(), file, "log"))
                .isInstanceOf(IOException.class)
                .hasMessage("cannot open output file " + file + ": no such file or directory");
    }

    // --- An output that fails: no callback for what it did not take, said once ---

    @Test
    void aRecordThatStdoutDidNotTakeIsNeverCalledBackAndTheFailureIsSaidOnce() throws Exception {
        AtomicInteger calledBack = new AtomicInteger();
        try (LogCapture log = LogCapture.of("dev.tcpkit.output")) {
            RecordWriter writer = new RecordWriter(new BrokenPipe(), null, "log");
            for (int i = 0; i < 100; i++) {
                writer.write(new MessageRecord(0, "c:1", "m" + i, 2), calledBack::incrementAndGet);
            }
            assertThat(writer.failure().toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isEqualTo("output failed");
            writer.close(Duration.ofSeconds(10));

            assertThat(writer.lost()).isEqualTo(100);
            assertThat(log.lines())
                    .containsExactly(
                            "ERROR output failed: cannot write to stdout: broken pipe",
                            "ERROR 100 record(s) lost: not written to every output");
        }
        assertThat(calledBack).hasValue(0);
    }

    @Test
    void aPrintWriterThatSwallowsTheErrorIsSeenFailingToo() throws Exception {
        assertNoneCalledBackAndFailureSaidOnce(
                new PrintWriter(new BrokenPipe()), null, 1, "ERROR output failed: cannot write to stdout: write error");
    }

    /** The file keeps exactly the records acknowledged: those after the failure could not be, though it has room. */
    @Test
    void afterStdoutFailedNothingMoreGoesToTheFileNorIsCalledBack(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.jsonl");
        BrokenPipe stdout = new BrokenPipe();
        stdout.broken = false;
        AtomicInteger calledBack = new AtomicInteger();
        try (RecordWriter writer = new RecordWriter(stdout, file, "log")) {
            CountDownLatch first = new CountDownLatch(1);
            writer.write(new MessageRecord(0, "c:1", "before", 6), first::countDown);
            assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();

            stdout.broken = true; // the reader of the pipe has gone
            for (int i = 0; i < 10; i++) {
                writer.write(new MessageRecord(0, "c:1", "after" + i, 6), calledBack::incrementAndGet);
            }
        }
        assertThat(calledBack).hasValue(0);
        assertThat(Files.readAllLines(file, UTF_8)).singleElement().asString().contains("\"text\":\"before\"");
    }

    /** A batch large enough that the file had part of it written out before stdout failed halfway through it. */
    @Test
    void aBatchThatStdoutFailedInIsCutOutOfTheFileAgain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.jsonl");
        BrokenPipe stdout = new BrokenPipe();
        stdout.broken = false;
        try (RecordWriter writer = new RecordWriter(stdout, file, "log")) {
            CountDownLatch first = new CountDownLatch(1);
            writer.write(new MessageRecord(0, "c:1", "acknowledged", 12), first::countDown);
            assertThat(first.await(10, TimeUnit.SECONDS)).isTrue();

            stdout.left.set(300 * 400); // about 300 of the 1,000 lines: the file has written out 64 KiB by then
            List<MessageRecord> batch = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                batch.add(new MessageRecord(0, "c:1", i + " " + "x".repeat(350), 355));
            }
            writer.write(batch, null);
        }
        assertThat(Files.readAllLines(file, UTF_8)).singleElement().asString().contains("\"text\":\"acknowledged\"");
    }

    @Test
    void aRecordThatAFullDeviceDidNotTakeIsNeverCalledBackAndTheFailureIsSaidOnce() throws Exception {
        assumeTrue(Files.exists(Path.of("/dev/full")), "this system has /dev/full");
        assertNoneCalledBackAndFailureSaidOnce(
                new StringWriter(),
                Path.of("/dev/full"),
                100,
                "ERROR output failed: cannot write to /dev/full: no space left on device");
    }

    /**
     * Writes {@code records} records through a writer on these outputs and closes it: none is called back, and the
     * only line saying it cannot write is {@code failure}.
     */
    private static void assertNoneCalledBackAndFailureSaidOnce(
            Writer stdout, @Nullable Path file, int records, String failure) throws Exception {
        AtomicInteger calledBack = new AtomicInteger();
        try (LogCapture log = LogCapture.of("dev.tcpkit.output")) {
            try (RecordWriter writer = new RecordWriter(stdout, file, "log")) {
                for (int i = 0; i < records; i++) {
                    writer.write(new MessageRecord(0, "c:1", "m" + i, 2), calledBack::incrementAndGet);
                }
            }
            assertThat(log.lines())
                    .filteredOn(line -> line.contains("cannot write"))
                    .containsExactly(failure);
        }
        assertThat(calledBack).hasValue(0);
    }

    /**
     * A 64 KiB file system fills after about two hundred records, written one batch at a time: the file then holds
     * exactly the records called back, each a whole JSON line, and no part of the one that did not fit.
     */
    @Test
    void aFullFileSystemLeavesOnlyTheWholeLinesOfTheRecordsCalledBack(@TempDir Path dir) throws Exception {
        try (SmallTmpfs disk = SmallTmpfs.mount(dir, "64k")) {
            Path file = disk.dir().resolve("out.jsonl");
            int calledBack = 0;
            try (RecordWriter writer = new RecordWriter(new StringWriter(), file, "log")) {
                CompletableFuture<String> failure = writer.failure().toCompletableFuture();
                String text = "x".repeat(250);
                for (int i = 0; i < 1000; i++) {
                    CompletableFuture<Void> written = new CompletableFuture<>();
                    writer.write(new MessageRecord(0, "c:1", i + " " + text, 255), () -> written.complete(null));
                    CompletableFuture.anyOf(written, failure).get(10, TimeUnit.SECONDS);
                    if (!written.isDone()) {
                        break; // the file system is full: this record is not in the file, not even in part
                    }
                    calledBack++;
                }
                assertThat(failure).isDone();
            }
            String content = Files.readString(file, UTF_8);
            assertThat(content).endsWith("\n");
            List<String> lines = content.lines().toList();
            ObjectMapper json = new ObjectMapper();
            for (int i = 0; i < lines.size(); i++) {
                assertThat(json.readTree(lines.get(i)).get("text").asText()).startsWith(i + " ");
            }
            assertThat(lines).hasSize(calledBack).hasSizeLessThan(1000);
        }
    }

    // --- An output that is only slow: callbacks wait; close gives up at its timeout ---

    @Test
    void aStalledStdoutDelaysTheCallbacksWithoutFailingAndReleasedCallsThemAllBack() throws Exception {
        StalledPipe stdout = new StalledPipe();
        CountDownLatch calledBack = new CountDownLatch(3);
        try (RecordWriter writer = new RecordWriter(stdout, null, "log")) {
            for (int i = 0; i < 3; i++) {
                writer.write(new MessageRecord(0, "c:1", "m" + i, 2), calledBack::countDown);
            }
            assertThat(stdout.entered.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(calledBack.getCount()).isEqualTo(3);
            assertThat(writer.failure().toCompletableFuture()).isNotDone();

            stdout.release.countDown(); // the reader comes back
            assertThat(calledBack.await(10, TimeUnit.SECONDS)).isTrue();
            writer.close(Duration.ofSeconds(10));
            assertThat(writer.lost()).isZero();
        }
    }

    @Test
    void closeGivesUpOnAStdoutThatTakesNothingAndSaysHowManyRecordsWereLost() throws Exception {
        StalledPipe stdout = new StalledPipe();
        try (LogCapture log = LogCapture.of("dev.tcpkit.output")) {
            RecordWriter writer = new RecordWriter(stdout, null, "log");
            for (int i = 0; i < 5; i++) {
                writer.write(new MessageRecord(0, "c:1", "m" + i, 2), null);
            }
            assertThat(stdout.entered.await(10, TimeUnit.SECONDS)).isTrue();

            writer.close(Duration.ofMillis(300)); // returns, with the writer thread still blocked in stdout

            assertThat(writer.lost()).isEqualTo(5);
            assertThat(log.lines())
                    .containsExactly(
                            "ERROR 5 record(s) lost: the outputs did not take them in the 300 ms left to flush (--drain-timeout)");
        } finally {
            stdout.release.countDown();
        }
    }

    /** A pipe nobody reads: a write blocks until {@link #release}. */
    private static final class StalledPipe extends Writer {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void write(char[] chars, int off, int len) throws IOException {
            entered.countDown();
            try {
                if (!release.await(60, TimeUnit.SECONDS)) {
                    throw new IOException("not released within 60 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException();
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    /**
     * Takes what is written while not {@link #broken} and within {@link #left} chars, then fails every write and flush
     * as a pipe whose reader has gone.
     */
    private static final class BrokenPipe extends Writer {
        volatile boolean broken = true;
        final AtomicLong left = new AtomicLong(Long.MAX_VALUE);

        @Override
        public void write(char[] chars, int off, int len) throws IOException {
            if (broken || len > left.get()) {
                broken = true;
                throw new IOException("Broken pipe");
            }
            left.addAndGet(-len);
        }

        @Override
        public void flush() throws IOException {
            if (broken) {
                throw new IOException("Broken pipe");
            }
        }

        @Override
        public void close() {}
    }

    private static final class FlushCountingWriter extends StringWriter {
        final AtomicInteger flushes = new AtomicInteger();

        @Override
        public void flush() {
            flushes.incrementAndGet();
            super.flush();
        }
    }
}
