package dev.tcpkit.app.client;

import static java.nio.charset.StandardCharsets.UTF_16;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.service.Service;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tcpkit connect} over real loopback sockets: the server side is a {@link TcpServer} service, or a plain
 * {@link ServerSocket} the test drives step by step where the exact bytes and their timing matter.
 */
@Timeout(60)
final class ConsoleSessionTest {
    private static final Charset GBK = Charset.forName("GBK");
    private static final Duration PATIENT = Duration.ofSeconds(10);
    private static final InputStream NO_INPUT = InputStream.nullInputStream();
    private static final InetAddress IPV6_LOOPBACK = ipv6Loopback();

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopPeers() {
        pool.shutdownNow();
    }

    // --- The tutorials' clients (SPEC §1) ---

    @Test
    void e3ReceivesTheBannerFirstThenSendsHihiAndPrintsExactlyByebye() throws Exception {
        StringWriter serverStdout = new StringWriter();
        byte[] printed;
        try (TcpServer server = start(
                Services.reply().banner("byebye").reply("").stdout(serverStdout).build())) {
            printed = run(scripted(server.port(), true, Duration.ofSeconds(5), "hihi"), NO_INPUT);
        }
        assertThat(new String(printed, UTF_8)).isEqualTo("byebye");
        assertThat(serverStdout.toString()).endsWith(" >>> hihi\n");
    }

    @Test
    void e4SendsChineseTextAsUtf8AndPrintsTheReplyBytesExactly() throws Exception {
        String question = "你好服务端,我是客户端小明!";
        String ack = "ok, 问题正在处理中...";
        StringWriter serverStdout = new StringWriter();
        byte[] printed;
        try (TcpServer server =
                start(Services.reply().reply(ack).stdout(serverStdout).build())) {
            printed = run(scripted(server.port(), false, Duration.ofSeconds(5), question), NO_INPUT);
        }
        assertThat(printed).isEqualTo(ack.getBytes(UTF_8));
        assertThat(serverStdout.toString()).endsWith(" >>> " + question + "\n");
    }

    @Test
    void e4TheServerReceivesExactlyTheUtf8BytesOfTheText() throws Exception {
        String question = "你好服务端,我是客户端小明!";
        try (ServerSocket listener = listen()) {
            Future<byte[]> received = acceptOne(listener, s -> {
                byte[] got = readExactly(s, question.getBytes(UTF_8).length);
                s.getOutputStream().write("ok".getBytes(UTF_8));
                return got;
            });
            byte[] printed = run(scripted(listener.getLocalPort(), false, Duration.ofSeconds(5), question), NO_INPUT);
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(question.getBytes(UTF_8));
            assertThat(new String(printed, UTF_8)).isEqualTo("ok");
        }
    }

    @Test
    void e5SendsEveryTypedLineToAServerThatNeverReplies() throws Exception {
        PipedOutputStream keyboard = new PipedOutputStream();
        try (ServerSocket listener = listen()) {
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Future<Boolean> sawEnd = acceptOne(listener, s -> {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), GBK));
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
                return true;
            });
            PipedInputStream stdin = new PipedInputStream(keyboard);
            Future<byte[]> session = runAsync(interactive(listener.getLocalPort(), GBK), stdin);
            for (String line : List.of("第一行", "second", "第三行")) {
                keyboard.write((line + "\n").getBytes(UTF_8));
                keyboard.flush();
                assertThat(lines.poll(10, TimeUnit.SECONDS)).isEqualTo(line);
            }
            keyboard.close(); // end of input: the client half-closes, the server sees the end and closes
            assertThat(sawEnd.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(session.get(10, TimeUnit.SECONDS)).isEmpty();
        } finally {
            keyboard.close();
        }
    }

    @Test
    void e5EveryTypedLineReachesTheGbkLogServerAsItsOwnRecord() throws Exception {
        StringWriter serverStdout = new StringWriter();
        PipedOutputStream keyboard = new PipedOutputStream();
        try (TcpServer server =
                start(Services.log().charset(GBK).stdout(serverStdout).build())) {
            Future<byte[]> session = runAsync(interactive(server.port(), GBK), new PipedInputStream(keyboard));
            for (String line : List.of("你好", "在线客服", "bye")) {
                keyboard.write((line + "\n").getBytes(UTF_8));
                keyboard.flush();
                String record = " >>> " + line + "\\n\n";
                await().atMost(PATIENT).until(() -> serverStdout.toString().endsWith(record));
            }
            keyboard.close();
            assertThat(session.get(10, TimeUnit.SECONDS)).isEmpty();
        } finally {
            keyboard.close();
        }
        assertThat(serverStdout.toString().lines()).hasSize(3);
    }

    // --- --send and --recv-first ---

    @Test
    void sendsEachTextAndAwaitsItsReplyBeforeTheNext() throws Exception {
        StringWriter serverStdout = new StringWriter();
        byte[] printed;
        try (TcpServer server = start(Services.reply()
                .reply("ok\n")
                .keepOpen(true)
                .stdout(serverStdout)
                .build())) {
            printed = run(scripted(server.port(), false, Duration.ofSeconds(1), "one", "two", "three"), NO_INPUT);
        }
        assertThat(new String(printed, UTF_8)).isEqualTo("ok\nok\nok\n");
        // Three records, not one "onetwothree": each text went out only after the previous one's reply.
        assertThat(serverStdout.toString().lines())
                .satisfiesExactly(
                        l -> assertThat(l).endsWith(" >>> one"),
                        l -> assertThat(l).endsWith(" >>> two"),
                        l -> assertThat(l).endsWith(" >>> three"));
    }

    @Test
    void printsTheRepliesToSeveralTextsInOrder() throws Exception {
        try (ServerSocket listener = listen()) {
            Future<Boolean> served = acceptOne(listener, s -> {
                byte[] buf = new byte[64];
                for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
                    s.getOutputStream().write(("re:" + new String(buf, 0, n, UTF_8) + ";").getBytes(UTF_8));
                }
                return true;
            });
            byte[] printed =
                    run(scripted(listener.getLocalPort(), false, Duration.ofSeconds(1), "a", "b", "c"), NO_INPUT);
            assertThat(new String(printed, UTF_8)).isEqualTo("re:a;re:b;re:c;");
            assertThat(served.get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void sendsSeveralTextsInUtf16AsOneStreamWithASingleByteOrderMark() throws Exception {
        byte[] expected = "first, 第二".getBytes(UTF_16);
        try (ServerSocket listener = listen()) {
            Future<byte[]> received = acceptOne(listener, s -> {
                ByteArrayOutputStream got = new ByteArrayOutputStream();
                byte[] buf = new byte[64];
                while (got.size() < expected.length) {
                    int n = s.getInputStream().read(buf);
                    if (n < 0) {
                        break;
                    }
                    got.write(buf, 0, n);
                    s.getOutputStream().write(new byte[] {0, '.'});
                }
                return got.toByteArray();
            });
            ClientConfig config = new ClientConfig(
                    "127.0.0.1", listener.getLocalPort(), UTF_16, UTF_8, List.of("first, ", "第二"), false, PATIENT);
            byte[] printed = run(config, NO_INPUT);
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(expected);
            assertThat(new String(printed, UTF_8)).isEqualTo("..");
        }
    }

    @Test
    void sendDoesNotReadStdin() throws Exception {
        AtomicBoolean read = new AtomicBoolean();
        InputStream watched = new InputStream() {
            @Override
            public int read() {
                read.set(true);
                return -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return read();
            }
        };
        try (TcpServer server =
                start(Services.reply().stdout(new StringWriter()).build())) {
            byte[] printed = run(scripted(server.port(), false, PATIENT, "hello"), watched);
            assertThat(new String(printed, UTF_8)).isEqualTo("Hello from TCP server!");
        }
        assertThat(read).isFalse();
    }

    @Test
    void sendReturnsAfterTheTimeoutWhenTheServerNeverCloses() throws Exception {
        try (ServerSocket listener = listen()) {
            Future<Integer> afterReply = acceptOne(listener, s -> {
                readExactly(s, 5);
                s.getOutputStream().write("ok".getBytes(UTF_8));
                return s.getInputStream().read(); // never closes first: waits for the client to give up
            });
            byte[] printed = run(scripted(listener.getLocalPort(), false, Duration.ofMillis(300), "hello"), NO_INPUT);
            assertThat(new String(printed, UTF_8)).isEqualTo("ok");
            assertThat(afterReply.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }

    @Test
    void sendReturnsAfterTheTimeoutWhenTheServerNeverSaysAnything() throws Exception {
        try (ServerSocket listener = listen()) {
            Future<Integer> afterMessage = acceptOne(listener, s -> {
                readExactly(s, 5);
                return s.getInputStream().read();
            });
            byte[] printed = run(scripted(listener.getLocalPort(), false, Duration.ofMillis(300), "hello"), NO_INPUT);
            assertThat(printed).isEmpty();
            assertThat(afterMessage.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }

    @Test
    void recvFirstSendsNothingUntilTheServerHasSpoken() throws Exception {
        try (ServerSocket listener = listen()) {
            Future<byte[]> received = acceptOne(listener, s -> {
                InputStream in = s.getInputStream();
                await().during(Duration.ofMillis(300)).atMost(PATIENT).until(() -> in.available() == 0);
                s.getOutputStream().write(bytes("byebye"));
                return readExactly(s, 4);
            });
            byte[] printed = run(scripted(listener.getLocalPort(), true, PATIENT, "hihi"), NO_INPUT);
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(bytes("hihi"));
            assertThat(new String(printed, UTF_8)).isEqualTo("byebye");
        }
    }

    @Test
    void recvFirstThatGetsNothingStillSendsAndPrintsTheReply() throws Exception {
        StringWriter serverStdout = new StringWriter();
        byte[] printed;
        try (TcpServer server = start(Services.reply().stdout(serverStdout).build())) {
            printed = run(scripted(server.port(), true, Duration.ofMillis(500), "anyone there?"), NO_INPUT);
        }
        assertThat(new String(printed, UTF_8)).isEqualTo("Hello from TCP server!");
        assertThat(serverStdout.toString()).endsWith(" >>> anyone there?\n");
    }

    // --- Interactive: stdin to the socket, the socket to stdout ---

    @Test
    void echoesMebibytesOfRandomStdinBackIdentically() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new SplittableRandom(42).nextBytes(data);
        byte[] printed;
        try (TcpServer server = start(Services.echo())) {
            printed = run(interactive(server.port(), null), new ByteArrayInputStream(data));
        }
        assertThat(printed.length).isEqualTo(data.length);
        assertThat(Arrays.equals(printed, data)).as("every byte back, in order").isTrue();
    }

    @Test
    void halfClosesAtEndOfStdinAndKeepsPrintingUntilTheServerCloses() throws Exception {
        try (ServerSocket listener = listen()) {
            Future<byte[]> received = acceptOne(listener, s -> {
                byte[] all = s.getInputStream().readAllBytes(); // ends only at the client's half-close
                s.getOutputStream().write("bye".getBytes(UTF_8));
                return all;
            });
            byte[] printed = run(interactive(listener.getLocalPort(), null), new ByteArrayInputStream(bytes("hello")));
            assertThat(new String(received.get(10, TimeUnit.SECONDS), UTF_8)).isEqualTo("hello");
            assertThat(new String(printed, UTF_8)).isEqualTo("bye");
        }
    }

    @Test
    void endsWhenTheServerClosesEvenThoughStdinStaysOpen() throws Exception {
        try (TcpServer server =
                        start(Services.reply().stdout(new StringWriter()).build());
                PipedOutputStream keyboard = new PipedOutputStream()) {
            PipedInputStream stdin = new PipedInputStream(keyboard);
            Future<byte[]> session = runAsync(interactive(server.port(), null), stdin);
            keyboard.write(bytes("hello"));
            keyboard.flush();
            assertThat(new String(session.get(10, TimeUnit.SECONDS), UTF_8)).isEqualTo("Hello from TCP server!");
        }
    }

    @Test
    void closesTheConnectionWhenStdoutGoesAway() throws Exception {
        OutputStream closedStdout = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        try (ServerSocket listener = listen();
                PipedOutputStream keyboard = new PipedOutputStream()) {
            Future<Integer> afterData = acceptOne(listener, s -> {
                s.getOutputStream().write(bytes("nobody reads this"));
                return s.getInputStream().read();
            });
            PipedInputStream stdin = new PipedInputStream(keyboard);
            ClientConfig config = interactive(listener.getLocalPort(), null);
            try (ConsoleSession session = ConsoleSession.connect(config, closedStdout)) {
                session.run(stdin);
            }
            assertThat(afterData.get(10, TimeUnit.SECONDS)).isEqualTo(-1);
        }
    }

    // --- --encoding: transcoding both ways ---

    @Test
    void sendsTypedUtf8TextAsGbk() throws Exception {
        String typed = "你好，世界！\nsecond line\n";
        try (ServerSocket listener = listen()) {
            Future<byte[]> received =
                    acceptOne(listener, s -> s.getInputStream().readAllBytes());
            run(interactive(listener.getLocalPort(), GBK), new ByteArrayInputStream(typed.getBytes(UTF_8)));
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(typed.getBytes(GBK));
        }
    }

    @Test
    void printsGbkAsUtf8WithACharacterSplitAcrossTwoWritesWhole() throws Exception {
        byte[] gbk = "你好，世界".getBytes(GBK);
        int split = 7; // inside 世: 你, 好 and ， are two bytes each
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try (ServerSocket listener = listen()) {
            Future<Boolean> sent = acceptOne(listener, s -> {
                s.getOutputStream().write(gbk, 0, split);
                s.getOutputStream().flush();
                // The client prints the first part on its own before the rest is sent: the split crossed reads.
                await().atMost(PATIENT).until(() -> stdout.toString(UTF_8).equals("你好，"));
                s.getOutputStream().write(gbk, split, gbk.length - split);
                return true;
            });
            try (ConsoleSession session = ConsoleSession.connect(interactive(listener.getLocalPort(), GBK), stdout)) {
                session.run(NO_INPUT);
            }
            assertThat(sent.get(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(stdout.toByteArray()).isEqualTo("你好，世界".getBytes(UTF_8));
    }

    @Test
    void printsInvalidAndTruncatedGbkAsReplacementCharacters() throws Exception {
        try (ServerSocket listener = listen()) {
            Future<Boolean> sent = acceptOne(listener, s -> {
                // 0xff is never valid in GBK; 0x81 at the very end is a lead byte whose second byte never comes.
                s.getOutputStream().write(new byte[] {'a', (byte) 0xff, 'b', (byte) 0x81});
                return true;
            });
            byte[] printed = run(interactive(listener.getLocalPort(), GBK), NO_INPUT);
            assertThat(sent.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(new String(printed, UTF_8)).isEqualTo("a\uFFFDb\uFFFD");
        }
    }

    @Test
    void sendsStdinAsOneUtf16StreamWithASingleByteOrderMarkWhateverTheChunking() throws Exception {
        // More than the pump's 16 Ki chars, with an emoji (a surrogate pair) right at the chunk boundary.
        String typed = "x".repeat(16 * 1024 - 1) + "😀 done\n";
        try (ServerSocket listener = listen()) {
            Future<byte[]> received =
                    acceptOne(listener, s -> s.getInputStream().readAllBytes());
            run(interactive(listener.getLocalPort(), UTF_16), new ByteArrayInputStream(typed.getBytes(UTF_8)));
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(typed.getBytes(UTF_16));
        }
    }

    @Test
    void sendsAnEmojiTypedByteByByteWhole() throws Exception {
        String typed = "a😀b";
        try (ServerSocket listener = listen()) {
            Future<byte[]> received =
                    acceptOne(listener, s -> s.getInputStream().readAllBytes());
            run(interactive(listener.getLocalPort(), UTF_16), new TrickleInputStream(typed.getBytes(UTF_8)));
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(typed.getBytes(UTF_16));
        }
    }

    @Test
    void anEmojiSurvivesARoundTripThroughUtf16() throws Exception {
        String typed = "emoji 😀 and 𝄞, 你好\n".repeat(2000);
        byte[] printed;
        try (TcpServer server = start(Services.echo())) {
            printed = run(interactive(server.port(), UTF_16), new ByteArrayInputStream(typed.getBytes(UTF_8)));
        }
        assertThat(new String(printed, UTF_8)).isEqualTo(typed);
    }

    @Test
    void printsAnEmojiWholeWhenItsSurrogatesArriveInSeparateReads() throws Exception {
        byte[] utf16 = "a😀b".getBytes(UTF_16); // BOM, a, high surrogate, low surrogate, b
        int split = 6; // between the surrogates
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try (ServerSocket listener = listen()) {
            Future<Boolean> sent = acceptOne(listener, s -> {
                s.getOutputStream().write(utf16, 0, split);
                s.getOutputStream().flush();
                await().atMost(PATIENT).until(() -> stdout.toString(UTF_8).equals("a"));
                s.getOutputStream().write(utf16, split, utf16.length - split);
                return true;
            });
            try (ConsoleSession session =
                    ConsoleSession.connect(interactive(listener.getLocalPort(), UTF_16), stdout)) {
                session.run(NO_INPUT);
            }
            assertThat(sent.get(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(stdout.toByteArray()).isEqualTo("a😀b".getBytes(UTF_8));
    }

    // --- Failures: one line each ---

    @Test
    void refusedConnectionFailsWithOneLine() throws Exception {
        int port = freePort();
        assertThatThrownBy(() -> ConsoleSession.connect(interactive(port, null), new ByteArrayOutputStream()))
                .isInstanceOf(ConnectFailedException.class)
                .hasMessage("cannot connect to 127.0.0.1:" + port + ": connection refused");
    }

    @Test
    void aConnectionThatIsNeverAcceptedTimesOutWithOneLine() throws Exception {
        List<Socket> queued = new ArrayList<>();
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = listener.getLocalPort();
            // Fill the accept queue of a server that never accepts: the kernel then drops further SYNs.
            boolean full = false;
            for (int i = 0; i < 16 && !full; i++) {
                Socket s = new Socket();
                queued.add(s);
                try {
                    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
                } catch (SocketTimeoutException dropped) {
                    full = true;
                }
            }
            assumeTrue(full, "this kernel drops SYNs when the accept queue is full");
            ClientConfig config =
                    new ClientConfig("127.0.0.1", port, null, UTF_8, List.of(), false, Duration.ofMillis(300));
            assertThatThrownBy(() -> ConsoleSession.connect(config, new ByteArrayOutputStream()))
                    .isInstanceOf(ConnectFailedException.class)
                    .hasMessage("cannot connect to 127.0.0.1:" + port + ": timed out after 300 ms");
        } finally {
            for (Socket s : queued) {
                s.close();
            }
        }
    }

    @Test
    void unknownHostFailsWithOneLine() {
        ClientConfig config = new ClientConfig("nosuch.invalid", 9, null, UTF_8, List.of(), false, PATIENT);
        assertThatThrownBy(() -> ConsoleSession.connect(config, new ByteArrayOutputStream()))
                .isInstanceOf(ConnectFailedException.class)
                .hasMessage("cannot connect to nosuch.invalid:9: unknown host");
    }

    @Test
    void aResetByTheServerEndsTheSessionWithConnectionLost() throws Exception {
        try (ServerSocket listener = listen();
                PipedOutputStream keyboard = new PipedOutputStream()) {
            Future<byte[]> received = acceptOne(listener, s -> {
                byte[] hello = readExactly(s, 6);
                s.setSoLinger(true, 0); // close with a RST instead of a FIN
                return hello;
            });
            PipedInputStream stdin = new PipedInputStream(keyboard);
            int port = listener.getLocalPort();
            Future<byte[]> session = runAsync(interactive(port, null), stdin);
            keyboard.write(bytes("hello\n"));
            keyboard.flush();
            assertThat(session)
                    .failsWithin(Duration.ofSeconds(10))
                    .withThrowableOfType(ExecutionException.class)
                    .havingCause()
                    .isInstanceOf(ConnectFailedException.class)
                    .withMessageStartingWith("connection to 127.0.0.1:" + port + " lost: ")
                    .withMessageContaining("reset");
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo(bytes("hello\n"));
        }
    }

    @Test
    void connectsToAnIpv6LiteralWrittenInBrackets() throws Exception {
        try (TcpServer server =
                TcpServer.builder().bind("::1", 0).service(Services.echo()).start()) {
            ClientConfig config = new ClientConfig("[::1]", server.port(), null, UTF_8, List.of(), false, PATIENT);
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            try (ConsoleSession session = ConsoleSession.connect(config, stdout)) {
                session.run(new ByteArrayInputStream(bytes("ping")));
            }
            assertThat(stdout.toString(UTF_8)).isEqualTo("ping");
        }
    }

    @Test
    void refusedIpv6ConnectionShowsTheAddressBracketedOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, IPV6_LOOPBACK)) {
            port = s.getLocalPort();
        }
        ClientConfig config = new ClientConfig("[::1]", port, null, UTF_8, List.of(), false, PATIENT);
        assertThatThrownBy(() -> ConsoleSession.connect(config, new ByteArrayOutputStream()))
                .isInstanceOf(ConnectFailedException.class)
                .hasMessage("cannot connect to [::1]:" + port + ": connection refused");
    }

    /**
     * The reply server reads one message and closes, so the rest of a long input makes its kernel reset the
     * connection. The client may see that reset while receiving or only while sending (then Netty closes the channel
     * without telling the pipeline); either way the session must not end as a success with the reply lost.
     */
    @Test
    void aResetSeenWhileSendingEndsTheSessionAsLostNotAsASuccess() throws Exception {
        byte[] longInput = new byte[256 * 1024];
        try (TcpServer server =
                start(Services.reply().stdout(new StringWriter()).build())) {
            for (int round = 0; round < 30; round++) {
                ByteArrayOutputStream stdout = new ByteArrayOutputStream();
                try (ConsoleSession session = ConsoleSession.connect(interactive(server.port(), null), stdout)) {
                    session.run(new ByteArrayInputStream(longInput));
                    assertThat(stdout.toString(UTF_8)).as("round %d", round).isEqualTo("Hello from TCP server!");
                } catch (ConnectFailedException lost) {
                    assertThat(lost).hasMessageStartingWith("connection to 127.0.0.1:" + server.port() + " lost: ");
                }
            }
        }
    }

    @Test
    void triesEveryAddressOfLocalhostUntilOneAccepts() throws Exception {
        InetAddress[] addresses = InetAddress.getAllByName("localhost");
        // Surefire points the JVM at a hosts file giving localhost both 127.0.0.1 and ::1 (see pom.xml).
        assumeTrue(addresses.length > 1, "localhost has several addresses here");
        InetAddress last = addresses[addresses.length - 1];
        try (TcpServer server = TcpServer.builder()
                .bind(last.getHostAddress(), 0)
                .service(Services.echo())
                .start()) {
            for (int i = 0; i < addresses.length - 1; i++) {
                assumeTrue(refuses(addresses[i], server.port()), "nothing else listens on that port");
            }
            ClientConfig config = new ClientConfig("localhost", server.port(), null, UTF_8, List.of(), false, PATIENT);
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            try (ConsoleSession session = ConsoleSession.connect(config, stdout)) {
                assertThat(session.remoteAddress()).isEqualTo(new InetSocketAddress(last, server.port()));
                session.run(new ByteArrayInputStream(bytes("ping")));
            }
            assertThat(stdout.toString(UTF_8)).isEqualTo("ping");
        }
    }

    // --- Fixtures ---

    private static TcpServer start(Service service) throws IOException {
        return TcpServer.builder().bind("127.0.0.1", 0).service(service).start();
    }

    private static ClientConfig interactive(int port, @Nullable Charset encoding) {
        return new ClientConfig("127.0.0.1", port, encoding, UTF_8, List.of(), false, PATIENT);
    }

    private static ClientConfig scripted(int port, boolean recvFirst, Duration timeout, String... sends) {
        return new ClientConfig("127.0.0.1", port, null, UTF_8, List.of(sends), recvFirst, timeout);
    }

    /** Runs a whole session and returns what it printed. */
    private static byte[] run(ClientConfig config, InputStream stdin) throws IOException, InterruptedException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try (ConsoleSession session = ConsoleSession.connect(config, stdout)) {
            session.run(stdin);
        }
        return stdout.toByteArray();
    }

    private Future<byte[]> runAsync(ClientConfig config, InputStream stdin) {
        return pool.submit(() -> run(config, stdin));
    }

    /** What the test's server does with its one connection. */
    @FunctionalInterface
    private interface Peer<T> {
        T talk(Socket socket) throws Exception;
    }

    private static ServerSocket listen() throws IOException {
        ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        listener.setSoTimeout(10_000);
        return listener;
    }

    /** Accepts one connection on a thread of its own, lets {@code peer} talk, then closes it. */
    private <T> Future<T> acceptOne(ServerSocket listener, Peer<T> peer) {
        return pool.submit(() -> {
            try (Socket socket = listener.accept()) {
                socket.setSoTimeout(10_000);
                socket.setTcpNoDelay(true);
                return peer.talk(socket);
            }
        });
    }

    private static byte[] readExactly(Socket socket, int n) throws IOException {
        byte[] b = socket.getInputStream().readNBytes(n);
        if (b.length != n) {
            throw new IOException("end of stream after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean refuses(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 5_000);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }

    private static InetAddress ipv6Loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
        } catch (IOException impossible) {
            throw new AssertionError(impossible);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(UTF_8);
    }

    /** Stdin as a slow typist: one byte a read, and never anything more ready. */
    private static final class TrickleInputStream extends InputStream {
        private final ByteArrayInputStream bytes;

        TrickleInputStream(byte[] bytes) {
            this.bytes = new ByteArrayInputStream(bytes);
        }

        @Override
        public int read() {
            return bytes.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return len == 0 ? 0 : bytes.read(b, off, 1);
        }

        @Override
        public int available() {
            return 0;
        }
    }
}
