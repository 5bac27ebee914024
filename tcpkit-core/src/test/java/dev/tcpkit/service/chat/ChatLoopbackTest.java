package dev.tcpkit.service.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.codec.Framing;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.testing.ChatClient;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The chat service over real loopback sockets: names, commands, notices, relaying, charsets. */
@Timeout(60)
final class ChatLoopbackTest {
    private static final Charset GBK = Charset.forName("GBK");
    private static final String RECORD_PREFIX = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z ";
    private static final Pattern RELAYED = Pattern.compile("<(user\\d+)> line (\\d+) from (user\\d+)");

    private final StringWriter stdout = new StringWriter();

    /**
     * Fifty clients at once, spread over the event loops: each gets its own name, hears the others join, and every
     * line each one sends reaches each of the 49 others exactly once, in the order it was sent, and never itself.
     */
    @Test
    void fiftyClientsEachHearEveryLineOfEveryOtherClientOnceAndInOrder() throws Exception {
        int clients = 50;
        int linesEach = 40;
        List<ChatClient> room = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try (TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .threads(4) // clients on different loops than the ones they hear from
                .service(Services.chat().stdout(stdout).build())
                .start()) {
            for (int i = 1; i <= clients; i++) {
                ChatClient client = ChatClient.connect(server.port(), UTF_8);
                assertThat(client.name()).isEqualTo("user" + i);
                room.add(client);
            }
            // Each hears every later one join, in order: the join notice comes before anything the newcomer says.
            for (int i = 0; i < clients; i++) {
                List<String> joins = room.get(i).readLines(clients - 1 - i);
                for (int j = i + 1; j < clients; j++) {
                    assertThat(joins.get(j - i - 1))
                            .isEqualTo("*** user" + (j + 1) + " joined from "
                                    + room.get(j).address());
                }
            }
            List<Future<Map<String, List<Integer>>>> heard = new ArrayList<>();
            for (ChatClient client : room) {
                heard.add(pool.submit(() -> {
                    for (int n = 0; n < linesEach; n++) {
                        client.say("line " + n + " from " + client.name());
                    }
                    return collect(client, (clients - 1) * linesEach);
                }));
            }
            for (int i = 0; i < clients; i++) {
                Map<String, List<Integer>> bySender = heard.get(i).get(30, TimeUnit.SECONDS);
                assertThat(bySender)
                        .hasSize(clients - 1)
                        .doesNotContainKey(room.get(i).name());
                for (List<Integer> numbers : bySender.values()) {
                    assertThat(numbers).isEqualTo(range(linesEach));
                }
            }
            assertThat(server.counters().cut()).isZero();
            closeAll(room);
        } finally {
            pool.shutdownNow();
            closeAll(room);
        }
        List<String> records = stdout.toString().lines().toList();
        assertThat(records).hasSize(clients * linesEach);
        assertThat(records.get(0))
                .matches(RECORD_PREFIX + "127\\.0\\.0\\.1:\\d+ >>> <user\\d+> line \\d+ from user\\d+");
    }

    /** Reads {@code n} relayed lines and groups their numbers by sender, checking each names its true sender. */
    private static Map<String, List<Integer>> collect(ChatClient client, int n) throws Exception {
        Map<String, List<Integer>> bySender = new HashMap<>();
        for (String line : client.readLines(n)) {
            Matcher m = RELAYED.matcher(line);
            assertThat(m.matches()).as("a relayed line: %s", line).isTrue();
            assertThat(m.group(1)).isEqualTo(m.group(3));
            bySender.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(Integer.parseInt(m.group(2)));
        }
        return bySender;
    }

    private static List<Integer> range(int n) {
        List<Integer> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(i);
        }
        return list;
    }

    @Test
    void whoAnswersTheAskerAloneWithEveryNameAddressAndTimeConnected() throws Exception {
        MutableClock clock = new MutableClock();
        try (TcpServer server =
                        start(Services.chat().clock(clock).stdout(stdout).build());
                ChatClient first = ChatClient.connect(server.port(), UTF_8)) {
            clock.advance(Duration.ofMinutes(12).plusSeconds(5));
            try (ChatClient second = ChatClient.connect(server.port(), UTF_8)) {
                assertThat(first.readLine()).isEqualTo("*** user2 joined from " + second.address());
                clock.advance(Duration.ofSeconds(3));
                second.say("/who");
                assertThat(second.readLines(3))
                        .containsExactly(
                                "*** 2 online:",
                                "***   user1 " + first.address() + " 12m08s",
                                "***   user2 " + second.address() + " 3s (you)");
                // The asker alone: the next line the first client gets is the second's next one.
                second.say("after who");
                assertThat(first.readLine()).isEqualTo("<user2> after who");
            }
        }
    }

    @Test
    void nickRenamesForEveryoneAndRefusesATakenOrInvalidName() throws Exception {
        try (TcpServer server = start(Services.chat().stdout(stdout).build());
                ChatClient a = ChatClient.connect(server.port(), UTF_8);
                ChatClient b = ChatClient.connect(server.port(), UTF_8)) {
            a.readLine(); // b joined
            a.say("/nick alice");
            assertThat(a.readLine()).isEqualTo("*** user1 is now alice");
            assertThat(b.readLine()).isEqualTo("*** user1 is now alice");

            b.say("/nick ALICE");
            assertThat(b.readLine()).isEqualTo("*** the name ALICE is taken");
            b.say("/nick bob smith");
            assertThat(b.readLine())
                    .isEqualTo("*** invalid name 'bob smith': use 1 to 32 letters, digits, '-', '_' or '.'");
            b.say("/nick <bob>");
            assertThat(b.readLine()).startsWith("*** invalid name '<bob>'");
            b.say("/nick " + "x".repeat(33));
            assertThat(b.readLine()).startsWith("*** invalid name 'xxx");
            b.say("/nick");
            assertThat(b.readLine()).isEqualTo("*** usage: /nick NAME");
            b.say("/nick user2");
            assertThat(b.readLine()).isEqualTo("*** you are already user2");

            b.say("/NICK 小明");
            assertThat(b.readLine()).isEqualTo("*** user2 is now 小明");
            assertThat(a.readLine()).isEqualTo("*** user2 is now 小明");
            b.say("你好 alice");
            assertThat(a.readLine()).isEqualTo("<小明> 你好 alice");

            // A freed name can be taken; a new client is never given a name someone chose.
            a.say("/nick user3");
            assertThat(a.readLine()).isEqualTo("*** alice is now user3");
            try (ChatClient c = ChatClient.connect(server.port(), UTF_8)) {
                assertThat(c.name()).isEqualTo("user4");
            }
        }
        assertThat(stdout.toString()).matches(RECORD_PREFIX + "127\\.0\\.0\\.1:\\d+ >>> <小明> 你好 alice\n");
    }

    @Test
    void helpUnknownCommandsAndDoubleSlashAreAnsweredOrRelayedAsDocumented() throws Exception {
        try (TcpServer server = start(Services.chat().stdout(stdout).build());
                ChatClient a = ChatClient.connect(server.port(), UTF_8);
                ChatClient b = ChatClient.connect(server.port(), UTF_8)) {
            a.readLine(); // b joined
            b.say("/frobnicate now");
            assertThat(b.readLine()).isEqualTo("*** unknown command /frobnicate (/help lists the commands)");
            b.say("/help");
            assertThat(b.readLine()).startsWith("*** commands: /nick NAME (change your name), /who");
            b.say("//usr/bin is a directory");
            b.say("");
            b.say("a\u001b[2Jb");
            assertThat(a.readLines(2)).containsExactly("<user2> /usr/bin is a directory", "<user2> a\\x1b[2Jb");
        }
    }

    @Test
    void quitSaysByeTellsTheOthersAndCloses() throws Exception {
        try (TcpServer server = start(Services.chat().stdout(stdout).build());
                ChatClient a = ChatClient.connect(server.port(), UTF_8);
                ChatClient b = ChatClient.connect(server.port(), UTF_8)) {
            a.readLine(); // b joined
            b.say("/quit");
            assertThat(b.readToEnd()).containsExactly("*** bye");
            assertThat(a.readLine()).isEqualTo("*** user2 left");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 1);
        }
    }

    /** End of input is leaving: an unterminated last line is still relayed, then the others hear it left. */
    @Test
    void aClientThatStopsSendingHasItsLastLineRelayedThenLeaves() throws Exception {
        try (TcpServer server = start(Services.chat().stdout(stdout).build());
                ChatClient a = ChatClient.connect(server.port(), UTF_8);
                ChatClient b = ChatClient.connect(server.port(), UTF_8)) {
            a.readLine(); // b joined
            b.send("first\nlast words".getBytes(UTF_8));
            b.shutdownOutput();
            assertThat(b.readToEnd()).isEmpty();
            assertThat(a.readLines(3)).containsExactly("<user2> first", "<user2> last words", "*** user2 left");
        }
    }

    @Test
    void aClosedConnectionIsAnnouncedAsLeft() throws Exception {
        try (TcpServer server = start(Services.chat().stdout(stdout).build());
                ChatClient a = ChatClient.connect(server.port(), UTF_8)) {
            ChatClient b = ChatClient.connect(server.port(), UTF_8);
            a.readLine(); // b joined
            b.close();
            assertThat(a.readLine()).isEqualTo("*** user2 left");
        }
    }

    @Test
    void aLineLongerThanMaxLineDisconnectsItsSenderWithANoticeAndCountsACut() throws Exception {
        try (TcpServer server = start(Services.chat().maxLine(16).stdout(stdout).build());
                ChatClient a = ChatClient.connect(server.port(), UTF_8);
                ChatClient b = ChatClient.connect(server.port(), UTF_8)) {
            a.readLine(); // b joined
            b.say("x".repeat(100));
            assertThat(b.readToEnd()).containsExactly("*** line longer than 16 bytes: disconnecting");
            assertThat(a.readLine()).isEqualTo("*** user2 was disconnected: line longer than 16 bytes");
            // One connection, one reason, counted once: as the cut, not also as closed by the server.
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.connections().closed(CloseReason.MAX_LINE) == 1);
            assertThat(server.counters().cut()).isOne();
            assertThat(server.connections().closed(CloseReason.SERVER_CLOSED)).isZero();
            assertThat(server.connections().closed(CloseReason.CLIENT_CLOSED)).isZero();
            a.say("still here");
        }
        assertThat(stdout.toString()).doesNotContain("xxxxxxxxxxxxxxxx").contains(">>> <user1> still here");
    }

    @Test
    void aLineLongerThanMaxQueueStillReachesAClientWithNothingWaitingForIt() throws Exception {
        try (TcpServer server =
                        start(Services.chat().maxQueue(100).stdout(stdout).build());
                ChatClient a = ChatClient.connect(server.port(), UTF_8);
                ChatClient b = ChatClient.connect(server.port(), UTF_8)) {
            a.readLine(); // b joined: nothing waits for a any more
            String big = "y".repeat(1000);
            b.say(big);
            assertThat(a.readLine()).isEqualTo("<user2> " + big);
            assertThat(server.counters().cut()).isZero();
        }
    }

    /** Chinese, both ways, in the server's charset: never escaped, never mangled; names too. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"UTF-8", "GBK", "GB18030"})
    void chineseTextIsRelayedIntactInTheServersCharset(String charsetName, @TempDir Path dir) throws Exception {
        Charset charset = Charset.forName(charsetName);
        Path output = dir.resolve("chat.jsonl");
        String text = "你好服务端,我是客户端小明! 问题正在处理中…";
        try (TcpServer server = start(Services.chat()
                        .charset(charset)
                        .output(output)
                        .stdout(stdout)
                        .build());
                ChatClient a = ChatClient.connect(server.port(), charset);
                ChatClient b = ChatClient.connect(server.port(), charset)) {
            a.readLine(); // b joined
            b.say("/nick 小明");
            assertThat(a.readLine()).isEqualTo("*** user2 is now 小明");
            b.say(text);
            assertThat(a.readLine()).isEqualTo("<小明> " + text);
            a.say("收到");
            assertThat(b.awaitLine(l -> l.startsWith("<"))).isEqualTo("<user1> 收到");
        }
        assertThat(stdout.toString().lines())
                .satisfiesExactly(
                        l -> assertThat(l).matches(RECORD_PREFIX + "127\\.0\\.0\\.1:\\d+ >>> <小明> " + text),
                        l -> assertThat(l).endsWith(" >>> <user1> 收到"));
        List<String> json = Files.readAllLines(output, UTF_8);
        assertThat(json).hasSize(2);
        assertThat(json.get(0))
                .contains("\"service\":\"chat\"", "\"name\":\"小明\"", "\"text\":\"" + text + "\"")
                .contains("\"bytes\":" + text.getBytes(charset).length);
    }

    /**
     * With raw framing (clients that send without a newline, like the tutorials' GBK client) a character split
     * across two TCP reads is relayed whole, with the read that completes it.
     */
    @Test
    void aGbkCharacterSplitAcrossReadsIsRelayedWhole() throws Exception {
        try (TcpServer server = start(Services.chat()
                        .charset(GBK)
                        .framing(Framing.RAW)
                        .stdout(stdout)
                        .build());
                ChatClient a = ChatClient.connect(server.port(), GBK);
                ChatClient b = ChatClient.connect(server.port(), GBK)) {
            a.readLine(); // b joined
            byte[] shi = "世".getBytes(GBK);
            b.send(concat("你好".getBytes(GBK), Arrays.copyOf(shi, 1)));
            // Relayed before the rest is sent: the server read the first half of 世 on its own.
            assertThat(a.readLine()).isEqualTo("<user2> 你好");
            b.send(concat(Arrays.copyOfRange(shi, 1, shi.length), "界\n".getBytes(GBK)));
            assertThat(a.readLine()).isEqualTo("<user2> 世界");
        }
        assertThat(stdout.toString()).endsWith(" >>> <user2> 世界\n");
    }

    private static byte[] concat(byte[] x, byte[] y) {
        byte[] z = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, z, x.length, y.length);
        return z;
    }

    @Test
    void namesAreUniqueAmongClientsJoiningAllAtOnce() throws Exception {
        int clients = 40;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<ChatClient> room = new ArrayList<>();
        try (TcpServer server = start(Services.chat().stdout(stdout).build())) {
            List<Future<ChatClient>> joining = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                joining.add(pool.submit(() -> ChatClient.connect(server.port(), UTF_8)));
            }
            Set<String> names = new HashSet<>();
            for (Future<ChatClient> f : joining) {
                ChatClient client = f.get(30, TimeUnit.SECONDS);
                room.add(client);
                names.add(client.name());
            }
            assertThat(names).hasSize(clients).allMatch(n -> n.matches("user([1-9]|[1-3][0-9]|40)"));
            closeAll(room);
        } finally {
            pool.shutdownNow();
            closeAll(room);
        }
    }

    /** Closes the clients (before the server, which would otherwise wait its drain timeout for them). */
    private static void closeAll(List<ChatClient> clients) throws IOException {
        for (ChatClient client : clients) {
            client.close();
        }
    }

    private static TcpServer start(ChatService service) throws Exception {
        return TcpServer.builder().bind("127.0.0.1", 0).service(service).start();
    }

    /** A clock the test moves by hand. */
    private static final class MutableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-11-22T08:30:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
