package dev.tcpkit.output;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.sink.RecordSink;
import dev.tcpkit.sink.SinkBacklog;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
final class RecordWriterSinkTest {

    /** A sink that keeps what it was given and delivers only when the test says so. */
    private static final class HeldSink implements RecordSink {
        final List<String> keys = new CopyOnWriteArrayList<>();
        final List<byte[]> values = new CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<Consumer<@Nullable Throwable>> waiting = new LinkedBlockingQueue<>();

        @Override
        public String name() {
            return "held sink";
        }

        @Override
        public void send(String key, byte[] json, Consumer<@Nullable Throwable> done) {
            keys.add(key);
            values.add(json);
            waiting.add(done);
        }

        /** Delivers the next {@code n} records, waiting at most 10 s for each to be sent. */
        void deliver(int n) throws InterruptedException {
            for (int i = 0; i < n; i++) {
                Consumer<@Nullable Throwable> done = waiting.poll(10, TimeUnit.SECONDS);
                assertThat(done).as("record %d sent", i).isNotNull();
                done.accept(null);
            }
        }

        @Override
        public void close(Duration timeout) {}
    }

    @Test
    void theSinkGetsTheSameJsonBytesAsTheFileAndTheCallbackWaitsForIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out.jsonl");
        HeldSink sink = new HeldSink();
        CountDownLatch acknowledged = new CountDownLatch(1);
        AtomicInteger early = new AtomicInteger();
        try (RecordWriter writer = new RecordWriter(new StringWriter(), file, "log", sink)) {
            writer.write(
                    List.of(
                            new MessageRecord(1, "127.0.0.1:1", "héllo \"x\"\n", 9),
                            new MessageRecord(2, "127.0.0.1:1", "你好", 6)),
                    () -> {
                        early.set((int) acknowledged.getCount());
                        acknowledged.countDown();
                    });
            sink.deliver(1);
            SinkBacklog backlog = Objects.requireNonNull(writer.sinkBacklog());
            assertThat(backlog.inFlight()).as("one of the two still in flight").isOne();
            assertThat(acknowledged.getCount())
                    .as("acknowledged before the sink had both")
                    .isOne();
            sink.deliver(1);
            assertThat(acknowledged.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(backlog.inFlight()).isZero();
            assertThat(backlog.oldestAgeMillis()).isZero();
        }
        List<String> lines = Files.readAllLines(file, UTF_8);
        assertThat(sink.keys).containsExactly("127.0.0.1:1", "127.0.0.1:1");
        assertThat(sink.values).extracting(v -> new String(v, UTF_8)).containsExactlyElementsOf(lines);
        assertThat(lines.get(0)).contains("\"text\":\"héllo \\\"x\\\"\\n\"");
        assertThat(lines.get(1)).contains("\"text\":\"你好\"");
    }

    @Test
    void recordsTheSinkNeverDeliveredAreCountedLostAtClose() throws Exception {
        HeldSink sink = new HeldSink();
        RecordWriter writer = new RecordWriter(new StringWriter(), null, "log", sink);
        for (int i = 0; i < 3; i++) {
            writer.write(new MessageRecord(0, "c:1", "m" + i, 2), null);
        }
        sink.deliver(1);
        assertThat(sink.waiting.poll(10, TimeUnit.SECONDS))
                .as("second record sent")
                .isNotNull();
        SinkBacklog backlog = Objects.requireNonNull(writer.sinkBacklog());
        assertThat(backlog.inFlight()).isEqualTo(2);
        writer.close(Duration.ofMillis(200));
        assertThat(writer.lost()).isEqualTo(2);
    }
}
