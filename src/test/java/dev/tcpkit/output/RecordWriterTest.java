package dev.tcpkit.output;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
final class RecordWriterTest {

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
                .isEqualTo("{\"time\":\"1970-01-01T00:00:00.000Z\",\"service\":\"log\",\"client\":\"127.0.0.1:1\","
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

    private static final class FlushCountingWriter extends StringWriter {
        final AtomicInteger flushes = new AtomicInteger();

        @Override
        public void flush() {
            flushes.incrementAndGet();
            super.flush();
        }
    }
}
