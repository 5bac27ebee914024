package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tcpkit.app.it.Records.Line;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tcpkit serve} as a process: start-up line, exit codes, one-line errors, and stopping on SIGTERM. */
@Timeout(90)
final class ServeProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(20);
    private static final String HELLO = "Hello from TCP server!";

    @Test
    void printsOneStartUpLineShowingTheRealPortWhenGivenPortZero() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.start("serve", "echo", "--port", "0")) {
            int port = server.awaitListening();

            assertThat(server.stderrLines())
                    .singleElement()
                    .asString()
                    .matches("tcpkit echo listening on 0\\.0\\.0\\.0:" + port + " \\((io_uring|epoll|nio)\\)");
            assertThat(port).isNotIn(0, 50007);
            try (LoopbackClient client = LoopbackClient.connect(port)) {
                client.send("on the real port", UTF_8);
                client.shutdownOutput();
                assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("on the real port");
            }
            assertThat(server.stdout()).isEmpty();
        }
    }

    @Test
    void showsTheAddressItListensOnWhenGivenAHost() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.start("serve", "log", "--host", "127.0.0.1", "--port", "0")) {
            int port = server.awaitListening();
            assertThat(server.stderrLines())
                    .singleElement()
                    .asString()
                    .matches("tcpkit log listening on 127\\.0\\.0\\.1:" + port + " \\((io_uring|epoll|nio)\\)");
        }
    }

    @Test
    void listensOnIpv6LoopbackAndShowsTheAddressInBrackets() throws Exception {
        assumeThat(ipv6LoopbackWorks()).as("this machine has ::1").isTrue();
        try (TcpkitProcess server = TcpkitProcess.start("serve", "reply", "--host", "::1", "--port", "0")) {
            int port = server.awaitListening();
            assertThat(server.stderrLines())
                    .singleElement()
                    .asString()
                    .matches("tcpkit reply listening on \\[::1]:" + port + " \\((io_uring|epoll|nio)\\)");
            try (LoopbackClient client = LoopbackClient.connect(ipv6Loopback(), port)) {
                client.send("over ipv6", UTF_8);
                assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo(HELLO);
                Line record = Records.parse(server.awaitStdoutLines(1).get(0));
                assertThat(record.client()).isEqualTo("[::1]:" + client.socket().getLocalPort());
                assertThat(record.text()).isEqualTo("over ipv6");
            }
        }
    }

    @ParameterizedTest(name = "--host {0}")
    @ValueSource(strings = {"127.0.0.1", "0.0.0.0"})
    void portAlreadyInUseIsOneLineOnStderrAndExitCodeOne(String host) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            try (TcpkitProcess server =
                    TcpkitProcess.start("serve", "echo", "--host", host, "--port", Integer.toString(port))) {
                assertThat(server.awaitExit(EXIT)).isOne();
                assertThat(server.stderrLines())
                        .containsExactly("cannot listen on " + host + ":" + port + ": address already in use");
                assertThat(server.stdout()).isEmpty();
            }
        }
    }

    @Test
    void unknownOptionPrintsTheProblemAndUsageAndExitsTwo() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.start("serve", "echo", "--port", "0", "--no-such-option")) {
            assertThat(server.awaitExit(EXIT)).isEqualTo(2);
            List<String> stderr = server.stderrLines();
            assertThat(stderr.get(0)).isEqualTo("Unknown option: '--no-such-option'");
            assertThat(stderr).anySatisfy(line -> assertThat(line).startsWith("Usage: tcpkit serve "));
            assertThat(stderr).last().isEqualTo("Try 'tcpkit serve echo --help' for more information.");
            assertNoStackTrace(stderr);
            assertThat(server.stdout()).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "--port, abc",
        "--port, 70000",
        "--max-line, 0",
        "--encoding, NOPE",
        "--drain-timeout, soon",
        "--transport, carrier-pigeon"
    })
    void badOptionValueIsAUsageErrorQuotingTheValueAndExitsTwo(String option, String value) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "reply", "--host", "127.0.0.1"));
        if (!option.equals("--port")) {
            args.addAll(List.of("--port", "0"));
        }
        args.addAll(List.of(option, value));
        try (TcpkitProcess server = TcpkitProcess.start(args.toArray(String[]::new))) {
            assertThat(server.awaitExit(EXIT)).isEqualTo(2);
            List<String> stderr = server.stderrLines();
            assertThat(stderr.get(0)).contains(option).contains(value);
            assertThat(stderr).anySatisfy(line -> assertThat(line).startsWith("Usage: tcpkit serve "));
            assertNoStackTrace(stderr);
        }
    }

    @Test
    void bannerForTheEchoServiceIsAUsageError() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.start("serve", "echo", "--port", "0", "--banner", "hi")) {
            assertThat(server.awaitExit(EXIT)).isEqualTo(2);
            assertThat(server.stderrLines().get(0)).isEqualTo("--banner does not apply to the echo service");
            assertNoStackTrace(server.stderrLines());
        }
    }

    @Test
    void sigtermLetsAClientMidExchangeFinishThenExitsZero() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.start(
                "serve", "reply", "--keep-open", "--drain-timeout", "10s", "--host", "127.0.0.1", "--port", "0")) {
            int port = server.awaitListening();
            try (LoopbackClient client = LoopbackClient.connect(port)) {
                client.send("before TERM", UTF_8);
                assertThat(new String(client.readExactly(HELLO.length()), UTF_8))
                        .isEqualTo(HELLO);

                server.terminate();
                server.awaitStderrLine(line -> line.endsWith("draining 1 open connection(s) for up to 10000 ms"));
                assertThatThrownBy(() -> LoopbackClient.connect(port).close())
                        .as("no new connections while draining")
                        .isInstanceOf(ConnectException.class);

                client.send("after TERM", UTF_8);
                assertThat(new String(client.readExactly(HELLO.length()), UTF_8))
                        .isEqualTo(HELLO);
                assertThat(server.isAlive()).isTrue();
                client.socket().close();

                // Well within the 10 s drain timeout: the server stops as soon as its last connection has closed.
                assertThat(server.awaitExit(Duration.ofSeconds(5))).isZero();
                List<Line> records = Records.parse(server.stdoutLines());
                assertThat(records).extracting(Line::text).containsExactly("before TERM", "after TERM");
                assertThat(records)
                        .extracting(Line::client)
                        .containsOnly("127.0.0.1:" + client.socket().getLocalPort());
            }
        }
    }

    /**
     * 200 clients send lines at once; SIGTERM arrives halfway. The server drains: every line, sent before or after the
     * signal, is on stdout and in the output file exactly once, and it exits 0.
     */
    @Test
    void sigtermUnderLoadFlushesEveryMessageOfTwoHundredClientsToStdoutAndTheOutputFileExactlyOnce(@TempDir Path dir)
            throws Exception {
        Path output = dir.resolve("messages.jsonl");
        int clients = 200;
        int lines = 20;
        ExecutorService senders = Executors.newFixedThreadPool(clients);
        try (TcpkitProcess server = TcpkitProcess.start(
                "serve",
                "log",
                "--framing",
                "line",
                "--output",
                output.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                "0")) {
            int port = server.awaitListening();
            List<LoopbackClient> connections = new ArrayList<>();
            Map<String, List<String>> sent = new ConcurrentHashMap<>();
            CountDownLatch halfway = new CountDownLatch(clients);
            CountDownLatch termSent = new CountDownLatch(1);
            List<Future<Void>> sending = new ArrayList<>();
            try {
                for (int c = 0; c < clients; c++) {
                    LoopbackClient client = LoopbackClient.connect(port);
                    connections.add(client);
                    String address = "127.0.0.1:" + client.socket().getLocalPort();
                    sent.put(address, new ArrayList<>());
                    client.send("hello from " + address + "\n", UTF_8);
                    sent.get(address).add("hello from " + address);
                }
                // Every connection accepted and being read before the signal: it is drained, not refused.
                server.awaitStdoutLines(clients);
                for (LoopbackClient client : connections) {
                    sending.add(senders.submit(() -> sendLinesAroundTerm(client, sent, lines, halfway, termSent)));
                }
                assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();
                server.terminate();
                server.awaitStderrLine(
                        line -> line.endsWith("draining " + clients + " open connection(s) for up to 10000 ms"));
                termSent.countDown();
                for (Future<Void> f : sending) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                senders.shutdownNow();
                for (LoopbackClient client : connections) {
                    client.close();
                }
            }
            assertThat(server.awaitExit(EXIT)).isZero();

            assertThat(byClient(Records.parse(server.stdoutLines()))).isEqualTo(sent);
            assertThat(byClient(readJsonLines(output))).isEqualTo(sent);
        }
    }

    /** Sends half the lines, waits for the signal, sends the rest, then closes: each ends while the server drains. */
    private static Void sendLinesAroundTerm(
            LoopbackClient client,
            Map<String, List<String>> sent,
            int count,
            CountDownLatch halfway,
            CountDownLatch termSent)
            throws Exception {
        String address = "127.0.0.1:" + client.socket().getLocalPort();
        for (int i = 0; i < count; i++) {
            if (i == count / 2) {
                halfway.countDown();
                assertThat(termSent.await(30, TimeUnit.SECONDS)).isTrue();
            }
            String text = "line " + i + " from " + address + ": 消息";
            client.send(text + "\n", UTF_8);
            sent.get(address).add(text);
        }
        client.socket().close();
        return null;
    }

    /**
     * 50 clients are mid-way through echoing 1 MiB each when SIGTERM arrives: each sends the rest after the signal,
     * gets every byte back in order, and the server exits 0 once the last has finished, within the drain timeout.
     */
    @Test
    void sigtermLetsEveryInFlightEchoFinishThenExitsZero() throws Exception {
        int clients = 50;
        int size = 1024 * 1024;
        ExecutorService pool = Executors.newFixedThreadPool(2 * clients);
        try (TcpkitProcess server =
                TcpkitProcess.start("serve", "echo", "--drain-timeout", "30s", "--host", "127.0.0.1", "--port", "0")) {
            int port = server.awaitListening();
            // Every connection echoing before the signal: only then has the server surely admitted all of them.
            CountDownLatch echoing = new CountDownLatch(clients);
            CountDownLatch halfway = new CountDownLatch(clients);
            CountDownLatch termSent = new CountDownLatch(1);
            List<byte[]> sent = new ArrayList<>();
            List<Future<Void>> writers = new ArrayList<>();
            List<Future<byte[]>> echoes = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                byte[] data = new byte[size];
                new SplittableRandom(c).nextBytes(data);
                sent.add(data);
                LoopbackClient client = LoopbackClient.connect(port);
                writers.add(pool.submit(() -> {
                    client.send(Arrays.copyOfRange(data, 0, size / 2));
                    halfway.countDown();
                    assertThat(termSent.await(30, TimeUnit.SECONDS)).isTrue();
                    client.send(Arrays.copyOfRange(data, size / 2, size));
                    client.shutdownOutput();
                    return null;
                }));
                echoes.add(pool.submit(() -> {
                    try (client) {
                        LoopbackClient reading = client.readTimeout(Duration.ofSeconds(30));
                        byte[] first = reading.readExactly(1);
                        echoing.countDown();
                        byte[] rest = reading.readToEnd();
                        byte[] all = Arrays.copyOf(first, 1 + rest.length);
                        System.arraycopy(rest, 0, all, 1, rest.length);
                        return all;
                    }
                }));
            }
            assertThat(halfway.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(echoing.await(30, TimeUnit.SECONDS)).isTrue();
            server.terminate();
            server.awaitStderrLine(
                    line -> line.endsWith("draining " + clients + " open connection(s) for up to 30000 ms"));
            termSent.countDown();
            for (int c = 0; c < clients; c++) {
                writers.get(c).get(60, TimeUnit.SECONDS);
                assertThat(Arrays.equals(echoes.get(c).get(60, TimeUnit.SECONDS), sent.get(c)))
                        .as("client %d got its 1 MiB back intact", c)
                        .isTrue();
            }
            assertThat(server.awaitExit(EXIT)).isZero();
            assertThat(server.stderrLines()).noneMatch(line -> line.contains("drain timeout"));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void sigtermFlushesWhatIdleClientsSentWhenTheDrainTimeoutClosesThem(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("messages.jsonl");
        try (TcpkitProcess server = TcpkitProcess.start(
                        "serve",
                        "log",
                        "--output",
                        output.toString(),
                        "--drain-timeout",
                        "500ms",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        "0");
                LoopbackClient client = LoopbackClient.connect(server.awaitListening())) {
            String address = "127.0.0.1:" + client.socket().getLocalPort();
            client.send("still here, 还在", UTF_8);
            server.awaitStdoutLines(1);
            server.terminate();

            assertThat(server.awaitExit(EXIT)).isZero();
            assertThat(byClient(Records.parse(server.stdoutLines())))
                    .isEqualTo(Map.of(address, List.of("still here, 还在")));
            assertThat(byClient(readJsonLines(output))).isEqualTo(Map.of(address, List.of("still here, 还在")));
            assertThat(client.readToEnd()).as("cut by the drain timeout").isEmpty();
            assertThat(server.stderrLines()).anyMatch(line -> line.endsWith("drain timeout: closing 1 connection(s)"));
        }
    }

    @Test
    void sigtermOnAnIdleServerExitsZeroPromptlyAndQuietly() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.start("serve", "echo", "--host", "127.0.0.1", "--port", "0")) {
            server.awaitListening();
            // At once, as a script that waits for the start-up line would.
            server.terminate();
            assertThat(server.awaitExit(Duration.ofSeconds(5))).isZero();
            assertThat(server.stderrLines()).singleElement().asString().matches(TcpkitProcess.LISTENING);
            assertThat(server.stdout()).isEmpty();
        }
    }

    @Test
    void outputDashWritesTheJsonRecordsToStdoutInPlaceOfTheTextLines() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("log", "--framing", "line", "--output", "-")) {
            int port = server.awaitListening();
            try (LoopbackClient client = LoopbackClient.connect(port)) {
                client.send("hello\n你好\n", UTF_8);
                List<Line> records = jsonRecords(server.awaitStdoutLines(2));
                assertThat(records).extracting(Line::text).containsExactly("hello", "你好");
                assertThat(records)
                        .extracting(Line::clientPort)
                        .containsOnly(client.socket().getLocalPort());
            }
            server.terminate();
            assertThat(server.awaitExit(Duration.ofSeconds(15))).isZero();
            // Only the JSON lines: no text line, and no file named "-".
            assertThat(jsonRecords(server.stdoutLines())).hasSize(2);
            assertThat(Path.of("-")).doesNotExist();
        }
    }

    /** Each client's messages, in the order they were recorded. */
    private static Map<String, List<String>> byClient(List<Line> records) {
        Map<String, List<String>> byClient = new HashMap<>();
        for (Line r : records) {
            byClient.computeIfAbsent(r.client(), k -> new ArrayList<>()).add(r.text());
        }
        return byClient;
    }

    /** The {@code --output} file's records: one JSON object a line with {@code client} and {@code text}. */
    private static List<Line> readJsonLines(Path file) throws IOException {
        return jsonRecords(Files.readAllLines(file, UTF_8));
    }

    /** {@code lines} as {@code --output}'s records, each checked. */
    private static List<Line> jsonRecords(List<String> lines) throws IOException {
        List<Line> records = new ArrayList<>();
        JsonFactory json = new JsonFactory();
        for (String line : lines) {
            Map<String, String> fields = new HashMap<>();
            try (JsonParser parser = json.createParser(line)) {
                assertThat(parser.nextToken()).as(line).isEqualTo(JsonToken.START_OBJECT);
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    fields.put(name, parser.getText());
                }
                assertThat(parser.nextToken()).as("one object a line: %s", line).isNull();
            }
            assertThat(fields).containsOnlyKeys("v", "time", "service", "client", "bytes", "text");
            assertThat(fields.get("service")).isEqualTo("log");
            String text = fields.get("text");
            // The message's bytes on the wire (for a line, without its terminator); stdout's checks for the rest.
            assertThat(fields.get("bytes")).isEqualTo(Integer.toString(text.getBytes(UTF_8).length));
            records.add(Records.parse(fields.get("time") + " " + fields.get("client") + " >>> " + text));
        }
        return records;
    }

    private static void assertNoStackTrace(List<String> stderr) {
        assertThat(stderr).noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception"));
    }

    private static InetAddress ipv6Loopback() throws UnknownHostException {
        byte[] address = new byte[16];
        address[15] = 1;
        return InetAddress.getByAddress(address);
    }

    private static boolean ipv6LoopbackWorks() {
        try (ServerSocket s = new ServerSocket(0, 1, ipv6Loopback())) {
            return s.getLocalPort() > 0;
        } catch (IOException e) {
            return false;
        }
    }
}
