package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.app.it.Records.Line;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.TcpkitProcess;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The five tutorial programs of SPEC §1, each against its tcpkit counterpart: the tutorial's Python client against
 * the tcpkit server, and the tcpkit client against the tutorial's Python server. Same bytes on the wire, printed the
 * same way.
 */
@Timeout(90)
final class ClassicProgramsIT {
    private static final Duration EXIT = Duration.ofSeconds(20);
    /** {@code ('127.0.0.1', 53210)>>>text}: how the tutorial E5 server prints what a client sent. */
    private static final Pattern E5_LINE = Pattern.compile("\\('127\\.0\\.0\\.1', (\\d+)\\)>>>(.*)");

    private Instant started = Instant.EPOCH;

    @BeforeEach
    void noteTheTime() {
        // Records carry millisecond timestamps; this one is truncated the same way so the two compare.
        started = Instant.ofEpochMilli(System.currentTimeMillis());
    }

    // E1: echo server on 50007 and its client.

    @Test
    void tutorialEchoClientGetsItsGreetingBackAndTheOnceServerThenExitsZero() throws Exception {
        try (TcpkitProcess server = tcpkitServe("echo", "--once")) {
            int port = server.awaitListening();
            try (TcpkitProcess client = Tutorial.start("e1_echo_client.py", port)) {
                assertThat(client.awaitExit(EXIT)).isZero();
                assertThat(client.stdout()).isEqualTo("Received b'Hello, world'\n");
            }
            assertThat(server.awaitExit(EXIT)).isZero();
            assertThat(server.stdout()).isEmpty();
            assertThat(server.stderrLines()).singleElement().asString().matches(TcpkitProcess.LISTENING);
        }
    }

    @Test
    void tcpkitClientGetsEveryStdinByteBackFromTheTutorialEchoServer() throws Exception {
        int port = Tutorial.freePort();
        byte[] input = "Hello, world\n你好\r\n\u0000\u00ff end".getBytes(UTF_8);
        try (TcpkitProcess server = Tutorial.startServer("e1_echo_server.py", port);
                TcpkitProcess client = tcpkitConnect(port)) {
            client.writeStdin(input);
            client.closeStdin();

            assertThat(client.awaitExit(EXIT)).isZero();
            assertThat(client.stdoutBytes()).isEqualTo(input);
            assertThat(client.stderrLines()).isEmpty();
            assertThat(server.awaitExit(EXIT)).isZero();
            assertThat(server.stdoutLines())
                    .singleElement()
                    .asString()
                    .matches("Connected by \\('127\\.0\\.0\\.1', \\d+\\)");
        }
    }

    // E2: "hello" server on 8080 (the tutorial has no client of its own).

    @Test
    void replyServerAnswersEachClientWithHelloClosesAndWaitsForTheNext() throws Exception {
        try (TcpkitProcess server = tcpkitServe("reply")) {
            int port = server.awaitListening();
            try (LoopbackClient first = LoopbackClient.connect(port)) {
                first.send("hello from a socket", UTF_8);
                assertThat(new String(first.readToEnd(), UTF_8)).isEqualTo("Hello from TCP server!");
                try (TcpkitProcess second = tcpkitConnect(port, "--send", "hello from tcpkit")) {
                    assertThat(second.awaitExit(EXIT)).isZero();
                    assertThat(second.stdout()).isEqualTo("Hello from TCP server!");
                }
                List<Line> records = Records.parse(server.awaitStdoutLines(2));
                assertThat(records).extracting(Line::text).containsExactly("hello from a socket", "hello from tcpkit");
                assertThat(records.get(0).client())
                        .isEqualTo("127.0.0.1:" + first.socket().getLocalPort());
                assertThat(records).allSatisfy(r -> assertThat(r.time()).isBetween(started, Instant.now()));
            }
            assertThat(server.isAlive()).isTrue();
        }
    }

    @Test
    void tcpkitClientSendsItsMessageToTheTutorialHelloServerAndPrintsTheAnswer() throws Exception {
        int port = Tutorial.freePort();
        try (TcpkitProcess server = Tutorial.startServer("e2_hello_server.py", port)) {
            for (String message : List.of("first client", "第二个客户端")) {
                try (TcpkitProcess client = tcpkitConnect(port, "--send", message)) {
                    assertThat(client.awaitExit(EXIT)).isZero();
                    assertThat(client.stdout()).isEqualTo("Hello from TCP server!");
                }
            }
            server.awaitStdoutLine("第二个客户端"::equals);
            assertThat(server.stdoutLines())
                    .containsExactly("The server is ready to receive", "first client", "第二个客户端");
        }
    }

    // E3: "byebye" server on 31500 and its client.

    @Test
    void tutorialByebyeClientReceivesTheBannerFirstAndItsAnswerIsPrinted() throws Exception {
        try (TcpkitProcess server = tcpkitServe("reply", "--banner", "byebye", "--reply", "")) {
            int port = server.awaitListening();
            try (TcpkitProcess client = Tutorial.start("e3_byebye_client.py", port)) {
                assertThat(client.awaitExit(EXIT)).isZero();
                assertThat(client.stdout()).isEqualTo("the data received is byebye\n");
            }
            Line record = Records.parse(server.awaitStdoutLine(line -> Records.isRecordOf(line, "hihi")));
            assertThat(record.time()).isBetween(started, Instant.now());
            assertThat(record.clientPort()).isNotEqualTo(port);
            assertThat(server.stdoutLines()).hasSize(1);
        }
    }

    @Test
    void tcpkitClientReceivesFirstFromTheTutorialByebyeServerThenSendsHihi() throws Exception {
        int port = Tutorial.freePort();
        try (TcpkitProcess server = Tutorial.startServer("e3_byebye_server.py", port);
                TcpkitProcess client = tcpkitConnect(port, "--recv-first", "--send", "hihi")) {
            assertThat(client.awaitExit(EXIT)).isZero();
            assertThat(client.stdout()).isEqualTo("byebye");
            assertThat(server.awaitExit(EXIT)).isZero();
            assertThat(server.stdout()).isEqualTo("hihi\n");
        }
    }

    // E4: "ack" server on 8989 and its client, in UTF-8.

    @Test
    void tutorialAckClientGetsTheChineseAnswerAndItsGreetingIsPrintedWhole() throws Exception {
        try (TcpkitProcess server = tcpkitServe("reply", "--reply", "ok, 问题正在处理中...")) {
            int port = server.awaitListening();
            try (TcpkitProcess client = Tutorial.start("e4_ack_client.py", port)) {
                assertThat(client.awaitExit(EXIT)).isZero();
                assertThat(client.stdout()).isEqualTo("接收服务端的数据为: ok, 问题正在处理中...\n");
            }
            Line record = Records.parse(server.awaitStdoutLines(1).get(0));
            assertThat(record.text()).isEqualTo("你好服务端,我是客户端小明!");
            assertThat(record.client()).isEqualTo("127.0.0.1:" + record.clientPort());
            assertThat(record.clientPort()).isNotEqualTo(port);
        }
    }

    @Test
    void tcpkitClientSendsTheChineseGreetingToTheTutorialAckServerAndPrintsItsAnswer() throws Exception {
        int port = Tutorial.freePort();
        String greeting = "你好服务端,我是客户端小明!";
        try (TcpkitProcess server = Tutorial.startServer("e4_ack_server.py", port);
                TcpkitProcess client = tcpkitConnect(port, "--send", greeting)) {
            assertThat(client.awaitExit(EXIT)).isZero();
            assertThat(client.stdoutBytes()).isEqualTo("ok, 问题正在处理中...".getBytes(UTF_8));
            assertThat(server.awaitExit(EXIT)).isZero();
            List<String> printed = server.stdoutLines();
            assertThat(printed).hasSize(3);
            assertThat(printed.get(0)).matches("客户端的ip地址和端口号: \\('127\\.0\\.0\\.1', \\d+\\)");
            assertThat(printed.subList(1, 3))
                    .containsExactly("接收数据的长度为: " + greeting.getBytes(UTF_8).length, "接收客户端的数据为: " + greeting);
        }
    }

    // E5: "online customers" server on 7788 (GBK) and its interactive client.

    @Test
    void logServerPrintsTheTutorialClientsFirstGbkLineWithItsAddressAndAnnouncesItLeaving() throws Exception {
        try (TcpkitProcess server = tcpkitServe("log", "--encoding", "gbk")) {
            int port = server.awaitListening();
            String client;
            try (TcpkitProcess tutorial = Tutorial.start("e5_online_client.py", port)) {
                tutorial.writeStdin("在线客户 one\n");
                Line record = Records.parse(server.awaitStdoutLines(1).get(0));
                assertThat(record.text()).isEqualTo("在线客户 one");
                client = record.client();
                server.awaitStderrLine(line -> line.endsWith(" " + client + " connected"));
                // As against its own server, which never answers, the tutorial client now waits for a reply
                // forever; it leaves when it is stopped.
                assertThat(tutorial.isAlive()).isTrue();
            }
            server.awaitStderrLine(line -> line.contains(" " + client + " left after "));
            assertThat(server.stdoutLines()).hasSize(1);
        }
    }

    @Test
    void logServerWithAReplyServesTheTutorialClientLineAfterLineInGbk() throws Exception {
        try (TcpkitProcess server = tcpkitServe("log", "--encoding", "gbk", "--reply", "收到")) {
            int port = server.awaitListening();
            try (TcpkitProcess tutorial = Tutorial.start("e5_online_client.py", port)) {
                List<String> lines = List.of("第一行", "second line", "第三行: 欢迎光临");
                for (String line : lines) {
                    tutorial.writeStdin(line + "\n");
                }
                tutorial.closeStdin();
                assertThat(tutorial.awaitExit(EXIT)).isZero();
                assertThat(tutorial.stdout()).isEqualTo("收到\n".repeat(3));

                List<Line> records = Records.parse(server.awaitStdoutLines(3));
                assertThat(records).extracting(Line::text).containsExactlyElementsOf(lines);
                assertThat(records)
                        .extracting(Line::client)
                        .containsOnly(records.get(0).client());
                server.awaitStderrLine(
                        line -> line.contains(" " + records.get(0).client() + " left after "));
            }
        }
    }

    @Test
    void logServerServesTwoTutorialClientsAtOnceUnlikeTheTutorialServer() throws Exception {
        try (TcpkitProcess server = tcpkitServe("log", "--encoding", "gbk", "--reply", "收到");
                TcpkitProcess alice = Tutorial.start("e5_online_client.py", server.awaitListening());
                TcpkitProcess bob = Tutorial.start("e5_online_client.py", server.awaitListening())) {
            alice.writeStdin("我是 alice\n");
            bob.writeStdin("我是 bob\n");
            server.awaitStdoutLine(line -> Records.isRecordOf(line, "我是 alice"));
            server.awaitStdoutLine(line -> Records.isRecordOf(line, "我是 bob"));
            alice.closeStdin();
            bob.closeStdin();
            assertThat(alice.awaitExit(EXIT)).isZero();
            assertThat(bob.awaitExit(EXIT)).isZero();
            assertThat(alice.stdout()).isEqualTo("收到\n");
            assertThat(bob.stdout()).isEqualTo("收到\n");
            assertThat(Records.parse(server.stdoutLines()))
                    .extracting(Line::client)
                    .doesNotHaveDuplicates();
        }
    }

    @Test
    void tcpkitClientTypesTwoLinesInGbkToTheTutorialOnlineServerAndExitsAtEndOfInput() throws Exception {
        int port = Tutorial.freePort();
        try (TcpkitProcess server = Tutorial.startServer("e5_online_server.py", port);
                TcpkitProcess client = tcpkitConnect(port, "--encoding", "gbk")) {
            // Typed one after the other, as at a keyboard: each arrives as a chunk of its own.
            client.writeStdin("你好，服务器\n");
            String first = server.awaitStdoutLine(line -> line.endsWith(">>>你好，服务器"));
            client.writeStdin("second line 第二行\n");
            String second = server.awaitStdoutLine(line -> line.endsWith(">>>second line 第二行"));
            client.closeStdin();

            // The tutorial server never answers; tcpkit's client does not wait for it: at the end of input it
            // half-closes, the server sees its client leave and closes, and the client exits.
            assertThat(client.awaitExit(EXIT)).isZero();
            assertThat(client.stdout()).isEmpty();
            Matcher m = E5_LINE.matcher(first);
            assertThat(m.matches()).as(first).isTrue();
            String address = "('127.0.0.1', " + m.group(1) + ")";
            assertThat(second).isEqualTo(address + ">>>second line 第二行");
            server.awaitStdoutLine((address + " 客户端已经下线")::equals);
        }
    }

    /** {@code tcpkit serve SERVICE OPTIONS...} on 127.0.0.1, any free port. */
    private static TcpkitProcess tcpkitServe(String... serviceAndOptions) {
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(List.of(serviceAndOptions));
        args.addAll(List.of("--host", "127.0.0.1", "--port", "0"));
        return TcpkitProcess.start(args.toArray(String[]::new));
    }

    /** {@code tcpkit connect 127.0.0.1 PORT OPTIONS...}. */
    private static TcpkitProcess tcpkitConnect(int port, String... options) {
        List<String> args = new ArrayList<>(List.of("connect", "127.0.0.1", Integer.toString(port)));
        args.addAll(List.of(options));
        return TcpkitProcess.start(args.toArray(String[]::new));
    }
}
