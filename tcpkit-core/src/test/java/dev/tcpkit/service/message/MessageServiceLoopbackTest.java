package dev.tcpkit.service.message;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.codec.Framing;
import dev.tcpkit.internal.EncodingWriter;
import dev.tcpkit.testing.ByteCounter;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.MemoryProbe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The reply and log services over real loopback sockets. */
@Timeout(60)
final class MessageServiceLoopbackTest {
    private static final String RECORD_PREFIX = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ";
    private static final Charset GBK = Charset.forName("GBK");

    private final StringWriter stdout = new StringWriter();

    @Test
    void replyAnswersTheFirstMessageWithHelloAndCloses() throws Exception {
        int clientPort;
        try (TcpServer server = start(Services.reply().stdout(stdout).build())) {
            try (LoopbackClient client = LoopbackClient.connect(server.port())) {
                clientPort = client.socket().getLocalPort();
                client.send("hello server", UTF_8);
                assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("Hello from TCP server!");
            }
        }
        assertThat(stdout.toString()).matches(RECORD_PREFIX + "127\\.0\\.0\\.1:" + clientPort + " >>> hello server\n");
    }

    @Test
    void replySendsTheBannerFirstAndWithAnEmptyReplyJustCloses() throws Exception {
        try (TcpServer server =
                start(Services.reply().banner("byebye").reply("").stdout(stdout).build())) {
            try (LoopbackClient client = LoopbackClient.connect(server.port())) {
                assertThat(new String(client.readExactly(6), UTF_8)).isEqualTo("byebye");
                client.send("hihi", UTF_8);
                assertThat(client.readToEnd()).isEmpty();
            }
        }
        assertThat(stdout.toString()).endsWith(" >>> hihi\n");
    }

    /**
     * The client sends more after the first message: closing with that input unread would make the kernel reset the
     * connection, and a reset can destroy the reply before the client reads it.
     */
    @Test
    void replyAnswersWithoutAResetWhenTheClientSentMoreThanOneMessage() throws Exception {
        StalledWriter stalled = new StalledWriter();
        try (TcpServer server = start(Services.reply().stdout(stalled).build());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("first", UTF_8);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 1);
            // The first message is being printed (stdout is stalled) when the second arrives.
            client.send("second", UTF_8);
            stalled.release();
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("Hello from TCP server!");
        }
        assertThat(stalled.text()).endsWith(" >>> first\n");
    }

    @Test
    void replyWithKeepOpenAnswersEveryLine() throws Exception {
        try (TcpServer server = start(Services.reply()
                        .reply("ok\n")
                        .keepOpen(true)
                        .framing(Framing.LINE)
                        .stdout(stdout)
                        .build());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("one\r\ntwo\n", UTF_8);
            assertThat(new String(client.readExactly(6), UTF_8)).isEqualTo("ok\nok\n");
            client.shutdownOutput();
            assertThat(client.readToEnd()).isEmpty();
        }
        assertThat(stdout.toString().lines())
                .hasSize(2)
                .satisfiesExactly(
                        l -> assertThat(l).endsWith(" >>> one"),
                        l -> assertThat(l).endsWith(" >>> two"));
    }

    @Test
    void replyEncodesItsTextInTheServerCharset() throws Exception {
        String ack = "ok, 问题正在处理中...";
        try (TcpServer server = start(
                        Services.reply().reply(ack).charset(GBK).stdout(stdout).build());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("你好", GBK);
            assertThat(client.readToEnd()).isEqualTo(ack.getBytes(GBK));
        }
        assertThat(stdout.toString()).endsWith(" >>> 你好\n");
    }

    /**
     * A hundred clients at once, each sending GBK text with a character split across two reads: the server must
     * print every message whole, attributed to the right client, in the order that client sent it.
     */
    @Test
    void logPrintsEveryGbkMessageOfAHundredConcurrentClientsWithTheirAddress(@TempDir Path dir) throws Exception {
        int clients = 100;
        Path output = dir.resolve("messages.jsonl");
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<Integer>> ports = new ArrayList<>();
        try (TcpServer server = start(Services.log()
                .charset(GBK)
                .reply("ok")
                .output(output)
                .stdout(stdout)
                .build())) {
            for (int i = 0; i < clients; i++) {
                int id = i;
                ports.add(pool.submit(() -> talkInGbkSplittingACharacter(server.port(), id)));
            }
            for (Future<Integer> port : ports) {
                port.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> lines = stdout.toString().lines().toList();
        assertThat(lines).hasSize(2 * clients);
        for (int i = 0; i < clients; i++) {
            int port = ports.get(i).get();
            String who = "127\\.0\\.0\\.1:" + port;
            List<String> mine = lines.stream()
                    .filter(l -> l.contains(" 127.0.0.1:" + port + " >>> "))
                    .toList();
            assertThat(mine).hasSize(2);
            assertThat(mine.get(0)).matches(RECORD_PREFIX + who + " >>> 用户" + i + "：你好");
            assertThat(mine.get(1)).matches(RECORD_PREFIX + who + " >>> 世界！");
        }
        List<String> json = Files.readAllLines(output, UTF_8);
        assertThat(json).hasSize(2 * clients);
        assertThat(json).anySatisfy(l -> assertThat(l).contains("\"service\":\"log\"", "\"text\":\"世界！\""));
    }

    private static int talkInGbkSplittingACharacter(int serverPort, int id) throws Exception {
        try (LoopbackClient client = LoopbackClient.connect(serverPort)) {
            byte[] shi = "世".getBytes(GBK);
            byte[] first = concat(("用户" + id + "：你好").getBytes(GBK), Arrays.copyOf(shi, 1));
            byte[] second = concat(Arrays.copyOfRange(shi, 1, shi.length), "界！".getBytes(GBK));
            client.send(first);
            // The answer proves the server has read the first part on its own, so the split really crossed reads.
            assertThat(new String(client.readExactly(2), UTF_8)).isEqualTo("ok");
            client.send(second);
            assertThat(new String(client.readExactly(2), UTF_8)).isEqualTo("ok");
            return client.socket().getLocalPort();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    @Test
    void logShowsInvalidBytesAsReplacementCharacters() throws Exception {
        try (TcpServer server = start(Services.log().stdout(stdout).build());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send(new byte[] {'a', (byte) 0xff, 'b', 0, '\n'});
            client.shutdownOutput();
            assertThat(client.readToEnd()).isEmpty();
        }
        assertThat(stdout.toString()).endsWith(" >>> a\uFFFDb\\x00\\n\n");
    }

    @Test
    void logPrintsAnUnterminatedLastLineWhenTheClientStopsSending() throws Exception {
        try (TcpServer server = start(
                        Services.log().framing(Framing.LINE).stdout(stdout).build());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("first\nlast without newline", UTF_8);
            client.shutdownOutput();
            assertThat(client.readToEnd()).isEmpty();
        }
        assertThat(stdout.toString().lines().toList())
                .satisfiesExactly(
                        l -> assertThat(l).endsWith(" >>> first"),
                        l -> assertThat(l).endsWith(" >>> last without newline"));
    }

    @Test
    void aLineLongerThanMaxLineCutsThatConnectionOnlyWithALogLine() throws Exception {
        try (LogCapture log = LogCapture.of("dev.tcpkit.guard");
                TcpServer server = start(Services.log()
                        .framing(Framing.LINE)
                        .maxLine(16)
                        .reply("ok")
                        .stdout(stdout)
                        .build());
                LoopbackClient offender = LoopbackClient.connect(server.port());
                LoopbackClient neighbour = LoopbackClient.connect(server.port())) {
            offender.send("x".repeat(1000), UTF_8);
            assertThat(offender.readToEnd()).isEmpty();
            neighbour.send("short line\n", UTF_8);
            assertThat(new String(neighbour.readExactly(2), UTF_8)).isEqualTo("ok");
            assertThat(server.counters().cut()).isOne();
            assertThat(log.messages())
                    .containsExactly("cut 127.0.0.1:" + offender.socket().getLocalPort()
                            + ": line longer than 16 bytes (--max-line)");
        }
        assertThat(stdout.toString()).doesNotContain("xxxxxxxxxxxxxxxxx").contains(" >>> short line\n");
    }

    /**
     * stdout stalls (a terminal scrolled back, a full pipe): the sender is paused after a bounded amount, the event
     * loop it shares with others keeps working, and once stdout moves again every byte is printed.
     */
    @Test
    void aStalledStdoutPausesTheSenderWithoutBlockingOtherClients() throws Exception {
        StalledWriter stalled = new StalledWriter();
        long total = 8L * 1024 * 1024;
        int senderPort;
        try (TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .threads(1) // every connection shares the one event loop
                .service(Services.log().stdout(stalled).build())
                .start()) {
            LoopbackClient sender = LoopbackClient.connect(server.port());
            senderPort = sender.socket().getLocalPort();
            ByteCounter sent = new ByteCounter();
            Thread writer = new Thread(() -> sendLetters(sender, sent, total), "sender");
            writer.setDaemon(true);
            writer.start();
            assertThat(sent.awaitStall())
                    .as("bytes the sender pushed before its reads were paused")
                    .isLessThan(total);

            // A blocked event loop would never register (or print) a new connection.
            try (LoopbackClient other = LoopbackClient.connect(server.port())) {
                other.send("hello", UTF_8);
                await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 2);
            }
            stalled.release();
            writer.join(30_000);
            assertThat(sent.get()).isEqualTo(total);
            sender.shutdownOutput();
            assertThat(sender.readToEnd()).isEmpty();
        }
        String senderAddress = " 127.0.0.1:" + senderPort + " >>> ";
        long printed = stalled.text()
                .lines()
                .filter(l -> l.contains(senderAddress))
                .mapToLong(l -> l.substring(l.indexOf(" >>> ") + 5).length())
                .sum();
        assertThat(printed).isEqualTo(total);
    }

    /**
     * A client sends short lines and never reads the answers, each 500 times longer than its line: the answers it does
     * not take are counted, not buffered, and reading from it pauses, so it is slowed while the server's memory stays
     * flat and the clients sharing its event loop are served.
     */
    @Test
    void aClientThatNeverReadsItsAnswersIsSlowedWhileItsAnswersAreNotBuffered() throws Exception {
        String answer = "a".repeat(1023) + "\n";
        long limit = 64L * 1024 * 1024;
        try (TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .threads(1) // the greedy client and the good one share an event loop
                .service(Services.log()
                        .framing(Framing.LINE)
                        .reply(answer)
                        .stdout(Writer.nullWriter())
                        .build())
                .start()) {
            LoopbackClient greedy = LoopbackClient.connect(server.port());
            long directBefore = MemoryProbe.usedDirectMemory();
            ByteCounter sent = new ByteCounter();
            byte[] lines = "x\n".repeat(8 * 1024).getBytes(UTF_8);
            Thread writer = new Thread(
                    () -> {
                        try {
                            while (sent.get() < limit) {
                                greedy.send(lines);
                                sent.add(lines.length);
                            }
                        } catch (IOException closedByTest) {
                            // The test closes the socket once it has measured; the blocked write then fails.
                        }
                    },
                    "greedy");
            writer.setDaemon(true);
            writer.start();

            assertThat(sent.awaitStall())
                    .as("bytes of lines the client could send before the server stopped reading")
                    .isLessThan(limit);
            try (LoopbackClient good = LoopbackClient.connect(server.port())) {
                good.send("hello\n", UTF_8);
                assertThat(new String(good.readExactly(answer.length()), UTF_8)).isEqualTo(answer);
            }
            assertThat(MemoryProbe.usedDirectMemory() - directBefore)
                    .as("direct memory held for the client that does not read its answers")
                    .isLessThan(8L * 1024 * 1024);
            greedy.close();
            writer.join(10_000);
        }
    }

    /**
     * Issue 11's attack: 2000 lines (100 KB) in one write, then a half-close. On epoll, Netty had taken the socket out
     * of its epoll set once the input had ended with reads paused; resuming them failed ({@code epoll_ctl(..) failed
     * with error(-2)}) and the connection closed, with a stack trace, after a few of its answers (1146 of 2000 in the
     * issue).
     */
    @Test
    void twoThousandLinesSentAtOnceThenAHalfCloseGetEveryAnswerWithoutAWarning() throws Exception {
        int lines = 2000;
        try (LogCapture log = LogCapture.of("dev.tcpkit");
                TcpServer server = start(Services.log()
                        .framing(Framing.LINE)
                        .reply("ok\n")
                        .stdout(stdout)
                        .build());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send(numberedLines(lines));
            client.shutdownOutput();
            String answers = new String(client.readToEnd(), UTF_8);
            assertThat(answers.length() / 3).as("answers").isEqualTo(lines);
            assertThat(answers).isEqualTo("ok\n".repeat(lines));
            assertThat(log.lines()).noneMatch(l -> l.startsWith("WARN") || l.startsWith("ERROR"));
        }
        assertThat(stdout.toString().lines()).hasSize(lines);
    }

    /**
     * Lines in UTF-8 to a stdout that takes UTF-8 bytes are recorded from their bytes ({@code RecordEncoder}): every
     * line is acknowledged once, and printed as the decoding path prints it to a text stdout.
     */
    @Test
    void linesToAUtf8StdoutArePrintedFromTheirBytesAsTheTextPathPrintsThem() throws Exception {
        byte[] sent = concat(
                concat(numberedLines(2000), "你好 😀\na\u0000b\r\nc\td\n".getBytes(UTF_8)),
                new byte[] {'x', (byte) 0xff, (byte) 0xe4, (byte) 0xbd, '\n', 'e', 'n', 'd'});
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String fromBytes = recordedTexts(new EncodingWriter(bytes, UTF_8), sent, () -> bytes.toString(UTF_8));
        String fromText = recordedTexts(stdout, sent, stdout::toString);

        assertThat(fromBytes).isEqualTo(fromText);
        assertThat(fromBytes.lines()).hasSize(2005).endsWith("x\uFFFD\uFFFD", "end");
        assertThat(fromBytes).contains("\n你好 😀\na\\x00b\nc\\td\n");
    }

    /** What {@code stdout} shows of the lines sent, without times and clients, once every line is acknowledged. */
    private static String recordedTexts(Writer out, byte[] sent, Supplier<String> printed) throws Exception {
        try (TcpServer server = start(Services.log()
                        .framing(Framing.LINE)
                        .reply("k")
                        .stdout(out)
                        .build());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send(sent);
            client.shutdownOutput();
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("k".repeat(2005));
        }
        return printed.get().replaceAll("(?m)^" + RECORD_PREFIX + "127\\.0\\.0\\.1:\\d+ >>> ", "");
    }

    private static byte[] numberedLines(int count) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < count; i++) {
            lines.append(String.format(Locale.ROOT, "line %05d %s\n", i, "x".repeat(38)));
        }
        return lines.toString().getBytes(UTF_8);
    }

    private static void sendLetters(LoopbackClient client, ByteCounter sent, long total) {
        byte[] chunk = "abcdefgh".repeat(8 * 1024).getBytes(UTF_8);
        try {
            while (sent.get() < total) {
                client.send(chunk);
                sent.add(chunk.length);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A stdout whose writes block until released, like a terminal nobody reads. */
    private static final class StalledWriter extends Writer {
        private final CountDownLatch released = new CountDownLatch(1);
        private final StringBuilder text = new StringBuilder();

        void release() {
            released.countDown();
        }

        synchronized String text() {
            return text.toString();
        }

        @Override
        public synchronized void write(char[] buf, int off, int len) throws IOException {
            try {
                if (!released.await(60, TimeUnit.SECONDS)) {
                    throw new IOException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            text.append(buf, off, len);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    private static TcpServer start(MessageService service) throws Exception {
        return TcpServer.builder().bind("127.0.0.1", 0).service(service).start();
    }
}
