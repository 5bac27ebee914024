package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.app.it.Records.Line;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.TcpkitProcess;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11 as a user met it, through the real process on its default transport: {@code serve log --reply ok}, and a
 * client that sends 2000 lines in one write, then half-closes. It used to get a fraction of its answers, and stderr a
 * WARN with a stack trace; now every message is answered and stderr shows only the connect and disconnect lines.
 */
@Timeout(90)
final class HalfCloseProcessIT {
    private static final Pattern MESSAGES = Pattern.compile("\\((\\d+) messages?, ");

    @Test
    void aClientThatHalfClosesAfterTwoThousandLinesGetsEveryAnswerAndStderrNoStackTrace() throws Exception {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            lines.append(String.format(Locale.ROOT, "line %05d %s\n", i, "x".repeat(38)));
        }
        String sent = lines.toString();
        try (TcpkitProcess server =
                TcpkitProcess.start("serve", "log", "--reply", "ok", "--host", "127.0.0.1", "--port", "0")) {
            int port = server.awaitListening();
            String answers;
            int clientPort;
            try (LoopbackClient client = LoopbackClient.connect(port)) {
                clientPort = client.socket().getLocalPort();
                client.send(sent, UTF_8);
                client.shutdownOutput();
                answers = new String(client.readToEnd(), UTF_8);
            }

            String left = server.awaitStderrLine(l -> l.contains(" 127.0.0.1:" + clientPort + " left after "));
            // Raw framing, the default: each read is a message, so only the server knows how many there were.
            Matcher m = MESSAGES.matcher(left);
            assertThat(m.find()).as("a message count in %s", left).isTrue();
            int messages = Integer.parseInt(m.group(1));
            assertThat(answers.length() / 2).as("answers").isEqualTo(messages);
            assertThat(answers).isEqualTo("ok".repeat(messages));
            assertThat(left).endsWith(": closed by client");
            String printed = String.join(
                    "",
                    Records.parse(server.awaitStdoutLines(messages)).stream()
                            .map(Line::text)
                            .toList());
            assertThat(printed).isEqualTo(sent.replace("\n", "\\n"));
            assertThat(server.stderrLines())
                    .as("stderr")
                    .noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception") || l.contains(" WARN "));
        }
    }
}
