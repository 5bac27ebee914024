package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin endpoint of {@code tcpkit serve} as a process: {@code --admin-allow-host} reaches it, and a request for
 * any other name is misdirected (issue 11, DNS rebinding). The endpoint's own limits are tested in-process by {@code
 * AdminAbuseTest}.
 */
@Timeout(120)
final class AdminProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(20);

    @Test
    void answersAnIpLiteralLocalhostAndTheAllowedNameAndMisdirectsAnyOtherName() throws Exception {
        try (TcpkitProcess server =
                TcpkitProcess.startServe("echo", "--admin-port", "0", "--admin-allow-host", "status.example.org")) {
            server.awaitListening();
            String line = server.awaitStderrLine(l -> l.startsWith("tcpkit echo admin on "));
            int port = URI.create(
                            line.substring("tcpkit echo admin on ".length()).trim())
                    .getPort();

            assertThat(status(port, "Host: evil.example:" + port)).isEqualTo(421);
            assertThat(status(port, "Host: status.example.org:" + port)).isEqualTo(200);
            assertThat(status(port, "Host: 127.0.0.1:" + port)).isEqualTo(200);
            assertThat(status(port, "Host: [::1]:" + port)).isEqualTo(200);
            assertThat(status(port, "Host: localhost:" + port)).isEqualTo(200);
            assertThat(status(port, null)).isEqualTo(200);

            server.terminate();
            assertThat(server.awaitExit(EXIT)).isZero();
        }
    }

    /** The status of {@code GET /api/stats} with the given {@code Host} line, or HTTP/1.0 without one. */
    private static int status(int port, @Nullable String hostLine) throws IOException {
        try (LoopbackClient client = LoopbackClient.connect(port)) {
            client.send(
                    hostLine == null
                            ? "GET /api/stats HTTP/1.0\r\n\r\n"
                            : "GET /api/stats HTTP/1.1\r\n" + hostLine + "\r\nConnection: close\r\n\r\n",
                    US_ASCII);
            String head = new String(client.readExactly(12), US_ASCII); // "HTTP/1.1 200"
            return Integer.parseInt(head.substring(9, 12));
        }
    }
}
