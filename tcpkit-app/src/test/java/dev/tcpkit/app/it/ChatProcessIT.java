package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.tcpkit.app.it.Records.Line;
import dev.tcpkit.testing.TcpkitProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code tcpkit serve chat} as a process, with {@code tcpkit connect} processes (and the GBK tutorial client) in it. */
@Timeout(120)
final class ChatProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(20);

    @Test
    void connectClientsChatNickAndWhoThroughTheServerProcessAndLeaveAtEndOfInput(@TempDir Path dir) throws Exception {
        Path output = dir.resolve("chat.jsonl");
        try (TcpkitProcess server = serveChat("--output", output.toString())) {
            int port = server.awaitListening();
            assertThat(server.stderrLines().get(0)).startsWith("tcpkit chat listening on 127.0.0.1:" + port + " (");
            try (TcpkitProcess alice = connect(port)) {
                alice.awaitStdoutLine(l -> l.startsWith("*** welcome, you are user1; 1 online"));
                try (TcpkitProcess bob = connect(port)) {
                    bob.awaitStdoutLine(l -> l.startsWith("*** welcome, you are user2; 2 online"));
                    alice.awaitStdoutLine(l -> l.matches("\\*\\*\\* user2 joined from 127\\.0\\.0\\.1:\\d+"));

                    alice.writeStdin("/nick alice\n");
                    bob.awaitStdoutLine("*** user1 is now alice"::equals);
                    alice.writeStdin("你好 bob, 问题正在处理中...\n");
                    bob.awaitStdoutLine("<alice> 你好 bob, 问题正在处理中..."::equals);

                    bob.writeStdin("/who\n");
                    bob.awaitStdoutLine(l -> l.matches("\\*\\*\\*   user2 127\\.0\\.0\\.1:\\d+ \\d+s \\(you\\)"));
                    assertThat(bob.stdoutLines())
                            .contains("*** 2 online:")
                            .anySatisfy(l -> assertThat(l).matches("\\*\\*\\*   alice 127\\.0\\.0\\.1:\\d+ \\d+s"));
                    assertThat(alice.stdout()).doesNotContain("online:").doesNotContain("<alice>");

                    // End of input: alice's client half-closes, the server lets her go, her client exits.
                    alice.closeStdin();
                    assertThat(alice.awaitExit(EXIT)).isZero();
                    bob.awaitStdoutLine("*** alice left"::equals);
                    bob.closeStdin();
                    assertThat(bob.awaitExit(EXIT)).isZero();
                }
            }
            Line record = Records.parse(server.awaitStdoutLines(1).get(0));
            assertThat(record.text()).isEqualTo("<alice> 你好 bob, 问题正在处理中...");
            server.awaitStderrLine(l -> l.endsWith(" joined as user1"));
            server.awaitStderrLine(l -> l.endsWith(" is now alice"));
            server.awaitStderrLine(l -> l.contains("alice (" + record.client() + ") left after "));

            server.terminate();
            assertThat(server.awaitExit(EXIT)).isZero();
            assertThat(server.stdoutLines()).hasSize(1);
        }
        List<String> json = Files.readAllLines(output, UTF_8);
        assertThat(json).hasSize(1);
        assertThat(fields(json.get(0)))
                .containsEntry("service", "chat")
                .containsEntry("name", "alice")
                .containsEntry("text", "你好 bob, 问题正在处理中...");
    }

    /** A GBK room, typed into from UTF-8 terminals: the clients transcode, the server relays GBK untouched. */
    @Test
    void aGbkRoomRelaysChineseBetweenClientsThatTranscodeFromUtf8() throws Exception {
        try (TcpkitProcess server = serveChat("--encoding", "gbk");
                TcpkitProcess first = connect(server.awaitListening(), "--encoding", "gbk")) {
            first.awaitStdoutLine(l -> l.startsWith("*** welcome, you are user1"));
            try (TcpkitProcess second = connect(server.awaitListening(), "--encoding", "gbk")) {
                second.awaitStdoutLine(l -> l.startsWith("*** welcome, you are user2"));
                first.awaitStdoutLine(l -> l.startsWith("*** user2 joined"));
                second.writeStdin("/nick 小明\n");
                first.awaitStdoutLine("*** user2 is now 小明"::equals);
                second.writeStdin("你好服务端,我是客户端小明!\n");
                first.awaitStdoutLine("<小明> 你好服务端,我是客户端小明!"::equals);
                first.writeStdin("欢迎\n");
                second.awaitStdoutLine("<user1> 欢迎"::equals);
                second.closeStdin();
                assertThat(second.awaitExit(EXIT)).isZero();
            }
            first.awaitStdoutLine("*** 小明 left"::equals);
            server.awaitStdoutLine(l -> l.endsWith(" >>> <小明> 你好服务端,我是客户端小明!"));
            server.awaitStdoutLine(l -> l.endsWith(" >>> <user1> 欢迎"));
        }
    }

    /**
     * The tutorial's GBK client sends each typed line without a newline; with raw framing each of its sends is a
     * line of the room.
     */
    @Test
    void theTutorialGbkClientTalksToAConnectClientThroughARawGbkRoom() throws Exception {
        try (TcpkitProcess server = serveChat("--encoding", "gbk", "--framing", "raw");
                TcpkitProcess listener = connect(server.awaitListening(), "--encoding", "gbk")) {
            listener.awaitStdoutLine(l -> l.startsWith("*** welcome, you are user1"));
            try (TcpkitProcess tutorial = Tutorial.start("e5_online_client.py", server.awaitListening())) {
                listener.awaitStdoutLine(l -> l.startsWith("*** user2 joined"));
                tutorial.writeStdin("在线客户 one\n");
                listener.awaitStdoutLine("<user2> 在线客户 one"::equals);
                // Its one recv() after sending gets what the room had sent it: the welcome.
                tutorial.awaitStdoutLine(l -> l.startsWith("*** welcome, you are user2"));
            }
            listener.awaitStdoutLine("*** user2 left"::equals);
        }
    }

    private static Map<String, String> fields(String jsonLine) throws Exception {
        Map<String, String> fields = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(jsonLine)) {
            assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                fields.put(name, p.getValueAsString());
            }
        }
        return fields;
    }

    private static TcpkitProcess serveChat(String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("serve", "chat", "--host", "127.0.0.1", "--port", "0"));
        args.addAll(List.of(options));
        return TcpkitProcess.start(args.toArray(String[]::new));
    }

    private static TcpkitProcess connect(int port, String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("connect", "127.0.0.1", Integer.toString(port)));
        args.addAll(List.of(options));
        return TcpkitProcess.start(args.toArray(String[]::new));
    }
}
