package dev.tcpkit.output;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.sink.RecordSink;
import dev.tcpkit.sink.SinkBacklog;
import dev.tcpkit.transport.ReadSizes;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

    /** A sink with two sender threads that delivers at once and notes which thread sent each key's records. */
    private static final class TwoSenderSink implements RecordSink {
        final Map<String, Set<String>> threads = new ConcurrentHashMap<>();
        final Map<String, List<Integer>> order = new ConcurrentHashMap<>();

        @Override
        public String name() {
            return "two-sender sink";
        }

        @Override
        public int senders() {
            return 2;
        }

        @Override
        public void send(String key, byte[] json, Consumer<@Nullable Throwable> done) {
            threads.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet())
                    .add(Thread.currentThread().getName());
            Matcher m = SEQUENCE.matcher(new String(json, UTF_8));
            assertThat(m.find())
                    .as("a sequence number in %s", new String(json, UTF_8))
                    .isTrue();
            order.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(Integer.parseInt(m.group(1)));
            done.accept(null);
        }

        @Override
        public void close(Duration timeout) {}
    }

    private static final Pattern SEQUENCE = Pattern.compile("\"text\":\"n(\\d+)\"");

    @Test
    void withTwoSendersEachKeyKeepsOneThreadAndItsOrder() throws Exception {
        TwoSenderSink sink = new TwoSenderSink();
        int clients = 16;
        int rounds = 200;
        CountDownLatch acknowledged = new CountDownLatch(rounds * 2);
        try (RecordWriter writer = new RecordWriter(new StringWriter(), null, "log", sink)) {
            for (int n = 0; n < rounds; n++) {
                // One write per client, as a connection's burst is, and one with every client's record in it.
                for (int c = 0; c < clients; c++) {
                    writer.write(new MessageRecord(0, "127.0.0.1:" + (1000 + c), "n" + (2 * n), 2), null);
                }
                writer.write(new MessageRecord(0, "127.0.0.1:1000", "n" + (2 * n), 2), acknowledged::countDown);
                List<MessageRecord> mixed = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    mixed.add(new MessageRecord(0, "127.0.0.1:" + (1000 + c), "n" + (2 * n + 1), 2));
                }
                writer.write(mixed, acknowledged::countDown);
            }
            assertThat(acknowledged.await(20, TimeUnit.SECONDS))
                    .as("every write acknowledged")
                    .isTrue();
        }
        assertThat(sink.threads.values().stream().flatMap(Set::stream).distinct())
                .containsExactlyInAnyOrder("tcpkit-sink-1", "tcpkit-sink-2");
        for (int c = 0; c < clients; c++) {
            String key = "127.0.0.1:" + (1000 + c);
            assertThat(sink.threads.get(key)).as("threads that sent %s", key).hasSize(1);
            assertThat(sink.order.get(key))
                    .as("%s in order", key)
                    .hasSize(2 * rounds + (c == 0 ? rounds : 0))
                    .isSorted();
        }
    }

    @Test
    void aConnectionWhoseRecordsGoToASinkReadsAtMostSixteenKibibytesAtATime() throws Exception {
        EmbeddedChannel toSink = new EmbeddedChannel();
        EmbeddedChannel toStdout = new EmbeddedChannel();
        toSink.config().setRecvByteBufAllocator(ReadSizes.ADAPTIVE);
        toStdout.config().setRecvByteBufAllocator(ReadSizes.ADAPTIVE);
        try (RecordWriter withSink = new RecordWriter(new StringWriter(), null, "log", new HeldSink());
                RecordWriter withoutSink = new RecordWriter(new StringWriter(), null, "log")) {
            new PendingRecords(withSink, toSink);
            new PendingRecords(withoutSink, toStdout);
            Object sinkReads = toSink.config().getRecvByteBufAllocator();
            Object stdoutReads = toStdout.config().getRecvByteBufAllocator();
            assertThat(sinkReads).isSameAs(ReadSizes.TO_SINK);
            assertThat(stdoutReads).isSameAs(ReadSizes.ADAPTIVE);
        } finally {
            toSink.finishAndReleaseAll();
            toStdout.finishAndReleaseAll();
        }
    }
}
