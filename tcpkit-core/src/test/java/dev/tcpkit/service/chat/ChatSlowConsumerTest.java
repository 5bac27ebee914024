package dev.tcpkit.service.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.ChatClient;
import dev.tcpkit.testing.MemoryProbe;
import io.netty.util.ResourceLeakDetector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that stops reading while 49 others chat at full speed: it is disconnected, the room is told, the others
 * are not held up by it (a relay that waited for the stalled client would hang this test: the others stop only once
 * it is cut), and what the server holds for it stays under the bound.
 *
 * <p>Prints its measurements (lines per second with and without the stalled client, time to cut it, the most the
 * server held for it) as one line on stdout, prefixed {@code slow-consumer:}. In the build it chats in 1 KiB lines, so
 * that the volume that fills the stalled client's buffers (on loopback the kernel alone holds about 4 MiB) takes few
 * lines under the leak detector's bookkeeping, and only the round with the stalled client runs. To measure, run it
 * alone with {@code -Dchat.measure=true}: chat-sized lines, three warm-up rounds, rounds without the stalled client before
 * and after the one with it (the load of a shared machine drifts), and Netty's leak detector off (at paranoid level it
 * records a stack trace for every buffer):
 *
 * <pre>
 * nice -n 19 mvn -B -q test -Dtest=ChatSlowConsumerTest -Dchat.measure=true -Djacoco.skip=true
 * </pre>
 */
@Timeout(180)
final class ChatSlowConsumerTest {
    private static final boolean MEASURE = Boolean.getBoolean("chat.measure");
    private static final int TALKERS = 49;
    /** Lines each talker sends in a round without the stalled client, and at least in the round with it. */
    private static final int LINES = MEASURE ? 2000 : 100;
    /** A talker stops at this many lines even if the stalled client was never cut (the assertions then fail). */
    private static final int MAX_LINES = MEASURE ? 20_000 : 1000;

    private static final String PAYLOAD =
            "the quick brown fox jumps over the lazy dog 0123456789".repeat(MEASURE ? 1 : 19);
    /** A relayed line on the wire, about: {@code <user12> 345 PAYLOAD\n}. */
    private static final int LINE_BYTES = PAYLOAD.length() + 13;
    /**
     * Lines a talker may have sent that another talker has not read yet: from all senders together at most 256 KiB in
     * flight to each talker, well under what may wait for it.
     */
    private static final int WINDOW = Math.max(1, 256 * 1024 / ((TALKERS - 1) * LINE_BYTES));

    private static final int MAX_QUEUE = 1024 * 1024;

    @Test
    void aClientThatDoesNotReadIsCutWhileFortyNineOthersKeepChatting() throws Exception {
        if (MEASURE) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
        List<ChatClient> talkers = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2 * TALKERS);
        ChatService chat =
                Services.chat().maxQueue(MAX_QUEUE).stdout(Writer.nullWriter()).build();
        try (TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .threads(2)
                .service(chat)
                .start()) {
            for (int i = 0; i < TALKERS; i++) {
                talkers.add(ChatClient.connect(server.port(), UTF_8));
            }
            for (int i = 0; i < TALKERS; i++) {
                talkers.get(i).readLines(TALKERS - 1 - i); // the joins of those after it
            }

            // Measuring: rounds to warm up the JIT, then one without a stalled client to compare with.
            Round without = null;
            if (MEASURE) {
                for (int warmUp = 0; warmUp < 3; warmUp++) {
                    exchange(pool, talkers, () -> true, "(no notice expected)");
                }
                without = exchange(pool, talkers, () -> true, "(no notice expected)");
            }

            // A client joins, reads its welcome, and never reads again.
            Socket stalled = new Socket();
            stalled.setReceiveBufferSize(4096); // little for the kernel to hold: the server's queue fills sooner
            stalled.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5_000);
            stalled.setSoTimeout(10_000);
            String stalledName = readWelcome(stalled.getInputStream());
            for (ChatClient talker : talkers) {
                assertThat(talker.readLine()).startsWith("*** " + stalledName + " joined from ");
            }
            long directBefore = MemoryProbe.usedDirectMemory();
            CutSampler sampler = new CutSampler(chat, server);
            sampler.start();
            String notice = "*** " + stalledName + " was disconnected: not reading";
            Round with = exchange(pool, talkers, () -> server.counters().cut() > 0, notice);
            sampler.stop();
            // Measuring: the room once more without it, to tell its effect from the machine's load changing.
            Round after = MEASURE ? exchange(pool, talkers, () -> true, "(no notice expected)") : null;

            System.out.println(report(without, with, after, sampler, directBefore));
            assertThat(server.counters().cut()).isOne();
            assertThat(with.noticesHeard())
                    .as("talkers that heard the cut notice once")
                    .isEqualTo(TALKERS);
            assertThat(sampler.peakLargest()).isPositive().isLessThanOrEqualTo(MAX_QUEUE);
            // The server closed it: once what the kernel held is read, the stream ends.
            assertThat(readToEndOrReset(stalled.getInputStream())).isTrue();
            stalled.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == TALKERS);
            assertThat(chat.queuedBytes()).isZero();

            for (ChatClient talker : talkers) {
                talker.close();
            }
        } finally {
            pool.shutdownNow();
            for (ChatClient talker : talkers) {
                talker.close();
            }
        }
    }

    private static String report(
            @Nullable Round without, Round with, @Nullable Round after, CutSampler sampler, long directBefore) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "slow-consumer: %d talkers, lines of %d bytes; ", TALKERS, LINE_BYTES));
        if (without != null) {
            sb.append("without a stalled client ").append(without).append("; ");
        }
        sb.append("with one ").append(with);
        if (after != null) {
            sb.append("; after it was cut ").append(after);
        }
        sb.append(String.format(
                Locale.ROOT,
                "; cut after %s; largest queue %,d bytes (max %,d), all queues %,d bytes at most;"
                        + " Netty direct memory +%,d bytes at most",
                sampler.cutAtNanos() < 0
                        ? "never"
                        : String.format(Locale.ROOT, "%.2f s", (sampler.cutAtNanos() - with.startNanos()) / 1e9),
                sampler.peakLargest(),
                MAX_QUEUE,
                sampler.peakQueued(),
                sampler.peakDirect() - directBefore));
        return sb.toString();
    }

    /** What one round of everyone talking at once measured. */
    private record Round(long startNanos, long endNanos, int linesEach, int noticesHeard) {
        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }

        double sentPerSecond() {
            return (double) TALKERS * linesEach / seconds();
        }

        double deliveredPerSecond() {
            return (double) TALKERS * (TALKERS - 1) * linesEach / seconds();
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%,.0f lines/s sent, %,.0f delivered (%,.1f MB/s; %d lines each in %.2f s)",
                    sentPerSecond(),
                    deliveredPerSecond(),
                    deliveredPerSecond() * LINE_BYTES / 1e6,
                    linesEach,
                    seconds());
        }
    }

    /**
     * Every talker sends {@link #LINES} lines as fast as the room takes them, and goes on until {@code enough} holds
     * (or {@link #MAX_LINES}); its last line says so. Every talker reads until it has the last line of every other,
     * checking that each sender's lines arrive exactly once and in order, and counting how often it heard {@code
     * notice}.
     *
     * <p>As fast as the room takes them: a talker may have at most {@link #WINDOW} lines not yet read by all the other
     * talkers (a TCP-like window). Unpaced, 49 senders outrun 49 readers that each get 48 times what one sends, and the
     * readers are rightly cut as slow consumers. The stalled client is no part of any window.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the whenComplete stages only pass a failure on to firstFailure
    private static Round exchange(ExecutorService pool, List<ChatClient> talkers, BooleanSupplier enough, String notice)
            throws Exception {
        // credits.get(sender).get(receiver): lines the sender may still send before the receiver reads more.
        Map<String, Map<String, Semaphore>> credits = new HashMap<>();
        for (ChatClient sender : talkers) {
            Map<String, Semaphore> toEach = new HashMap<>();
            for (ChatClient receiver : talkers) {
                if (receiver != sender) {
                    toEach.put(receiver.name(), new Semaphore(WINDOW));
                }
            }
            credits.put(sender.name(), toEach);
        }
        AtomicLong maxSent = new AtomicLong();
        List<CompletableFuture<Integer>> readers = new ArrayList<>();
        List<CompletableFuture<?>> all = new ArrayList<>();
        long start = System.nanoTime();
        for (ChatClient talker : talkers) {
            Collection<Semaphore> mine =
                    Objects.requireNonNull(credits.get(talker.name())).values();
            all.add(CompletableFuture.runAsync(
                    () -> {
                        try {
                            int n = 0;
                            while ((n < LINES || !enough.getAsBoolean()) && n < MAX_LINES) {
                                take(mine);
                                talker.say(n + " " + PAYLOAD);
                                n++;
                            }
                            take(mine);
                            talker.say(n + " end");
                            maxSent.accumulateAndGet(n, Math::max);
                        } catch (IOException | InterruptedException e) {
                            throw new CompletionException(e);
                        }
                    },
                    pool));
            CompletableFuture<Integer> reader = CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return readUntilEveryoneEnded(talker, notice, credits);
                        } catch (IOException e) {
                            throw new CompletionException(e);
                        }
                    },
                    pool);
            readers.add(reader);
            all.add(reader);
        }
        // Fails with the first failure: one reader stopping would otherwise hold up every sender until the timeout.
        CompletableFuture<Object> firstFailure = new CompletableFuture<>();
        all.forEach(f -> f.whenComplete((v, e) -> {
            if (e != null) {
                firstFailure.completeExceptionally(e);
            }
        }));
        CompletableFuture.anyOf(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)), firstFailure)
                .get(120, TimeUnit.SECONDS);
        int notices = 0;
        for (CompletableFuture<Integer> reader : readers) {
            notices += reader.join();
        }
        return new Round(start, System.nanoTime(), (int) maxSent.get(), notices);
    }

    /** Waits until every other talker has read all but the last {@link #WINDOW} - 1 of this talker's lines. */
    private static void take(Collection<Semaphore> credits) throws InterruptedException {
        for (Semaphore toOne : credits) {
            if (!toOne.tryAcquire(60, TimeUnit.SECONDS)) {
                throw new AssertionError("lines not delivered within 60 s");
            }
        }
    }

    /** Returns how many times {@code notice} was heard; fails on a line lost, repeated or out of order. */
    private static int readUntilEveryoneEnded(
            ChatClient talker, String notice, Map<String, Map<String, Semaphore>> credits) throws IOException {
        Map<String, Integer> next = new HashMap<>();
        int ended = 0;
        int notices = 0;
        while (ended < TALKERS - 1) {
            String line = talker.readLine();
            if (line.startsWith("***")) {
                assertThat(line).isEqualTo(notice);
                notices++;
                continue;
            }
            int close = line.indexOf("> ");
            int space = line.indexOf(' ', close + 2);
            String sender = line.substring(1, close);
            int n = Integer.parseInt(line.substring(close + 2, space));
            int expected = next.getOrDefault(sender, 0);
            if (n != expected) {
                throw new AssertionError(talker.name() + " got line " + n + " of " + sender + ", expected " + expected);
            }
            assertThat(sender).isNotEqualTo(talker.name());
            next.put(sender, n + 1);
            Map<String, Semaphore> fromSender = Objects.requireNonNull(credits.get(sender), sender);
            Objects.requireNonNull(fromSender.get(talker.name())).release();
            if (line.endsWith(" end")) {
                ended++;
            }
        }
        return notices;
    }

    private static String readWelcome(InputStream in) throws IOException {
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, UTF_8), 1);
        String line = reader.readLine();
        java.util.regex.Matcher m = ChatClient.WELCOME.matcher(String.valueOf(line));
        assertThat(m.matches()).as("welcome: %s", line).isTrue();
        return m.group(1);
    }

    /** Reads until end of stream (true) or a reset (true: also closed by the server); fails on the read timeout. */
    private static boolean readToEndOrReset(InputStream in) throws IOException {
        byte[] buf = new byte[64 * 1024];
        try {
            while (in.read(buf) >= 0) {
                // what the kernel held for it before the server closed
            }
            return true;
        } catch (SocketException reset) {
            return true;
        }
    }

    /** Samples every millisecond, and also notes when the server first counts a cut. */
    private static final class CutSampler extends QueueSampler {
        private final TcpServer server;
        private final CompletableFuture<Long> cutAt = new CompletableFuture<>();

        CutSampler(ChatService chat, TcpServer server) {
            super(chat, 1);
            this.server = server;
        }

        @Override
        void sample() {
            super.sample();
            if (!cutAt.isDone() && server.counters().cut() > 0) {
                cutAt.complete(System.nanoTime());
            }
        }

        /** When the sampler saw the cut, in {@link System#nanoTime()}; -1 if it did not. */
        long cutAtNanos() {
            return cutAt.getNow(-1L);
        }
    }
}
