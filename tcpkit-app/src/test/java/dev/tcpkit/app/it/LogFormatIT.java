package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcpkit.testing.AdminHttp;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --log-format json}: every event on stderr is one JSON object with its fields; stdout is unchanged. */
@Timeout(180)
final class LogFormatIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration EXIT = Duration.ofSeconds(20);
    /** Start-up, the failure, and exit: the JVM's whole life, on a machine that may be busy. */
    private static final Duration LIFETIME = Duration.ofSeconds(60);

    @Test
    void everyEventIsOneJsonObjectWithItsFields() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("log", "--framing", "line", "--log-format", "json")) {
            int port = server.awaitListening();
            int clientPort;
            try (LoopbackClient client = LoopbackClient.connect(port)) {
                clientPort = client.socket().getLocalPort();
                client.send("héllo\n", UTF_8);
                server.awaitStdoutLine(line -> line.endsWith(" >>> héllo"));
                client.shutdownOutput();
                assertThat(client.readToEnd()).isEmpty();
            }
            String client = "127.0.0.1:" + clientPort;
            server.awaitStderrLine(line -> line.contains("\"event\":\"disconnect\""));
            server.terminate();
            assertThat(server.awaitExit(EXIT)).isZero();

            List<JsonNode> events = parse(server.stderrLines());
            JsonNode listening = events.get(0);
            assertThat(listening.get("event").asText()).isEqualTo("listening");
            assertThat(listening.get("port").asInt()).isEqualTo(port);
            assertThat(listening.get("service").asText()).isEqualTo("log");
            assertThat(listening.get("message").asText()).startsWith("tcpkit log listening on 127.0.0.1:" + port);
            assertThat(listening.get("level").asText()).isEqualTo("INFO");
            assertThat(listening.get("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");

            JsonNode connect = event(events, "connect");
            assertThat(connect.get("client").asText()).isEqualTo(client);
            assertThat(connect.get("message").asText()).isEqualTo(client + " connected");

            JsonNode disconnect = event(events, "disconnect");
            assertThat(disconnect.get("client").asText()).isEqualTo(client);
            assertThat(disconnect.get("id").asLong())
                    .isEqualTo(connect.get("id").asLong());
            assertThat(disconnect.get("bytesIn").asLong()).isEqualTo("héllo\n".getBytes(UTF_8).length);
            assertThat(disconnect.get("bytesOut").asLong()).isZero();
            assertThat(disconnect.get("messages").asLong()).isEqualTo(1);
            assertThat(disconnect.get("durationMs").isIntegralNumber()).isTrue();
            assertThat(disconnect.get("reason").asText()).isEqualTo("client-closed");
            assertThat(disconnect.get("detail").asText()).isEqualTo("closed by client");
            assertThat(disconnect.get("message").asText()).startsWith(client + " left after ");

            // Records on stdout keep their text form.
            assertThat(server.stdoutLines()).singleElement().asString().endsWith(client + " >>> héllo");
        }
    }

    @Test
    void theStartUpEventsAreShownEvenWithQuietAndNameTheAdminPage() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe(
                "echo", "--admin-port", "0", "--admin-token", "t", "--log-format", "json", "-q")) {
            server.awaitListening();
            String adminLine = server.awaitStderrLine(line -> line.contains("\"event\":\"admin\""));
            JsonNode admin = JSON.readTree(adminLine);
            assertThat(admin.get("tokenRequired").asBoolean()).isTrue();
            String url = admin.get("url").asText();
            assertThat(url).startsWith("http://127.0.0.1:");
            assertThat(new AdminHttp(url).get("/api/stats", "t").statusCode()).isEqualTo(200);
            server.terminate();
            assertThat(server.awaitExit(EXIT)).isZero();
            assertThat(parse(server.stderrLines())).hasSize(2);
        }
    }

    @Test
    void aFailureIsOneJsonLineToo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            try (TcpkitProcess server =
                    TcpkitProcess.startServe("echo", "--admin-port", "" + port, "--log-format", "json")) {
                assertThat(server.awaitExit(LIFETIME)).isOne();
                JsonNode failure = parse(server.stderrLines()).get(0);
                assertThat(server.stderrLines()).hasSize(1);
                assertThat(failure.get("level").asText()).isEqualTo("ERROR");
                assertThat(failure.get("event").asText()).isEqualTo("failure");
                assertThat(failure.get("message").asText())
                        .isEqualTo("cannot listen on 127.0.0.1:" + port
                                + " for the admin endpoint: address already in use");
                assertThat(failure.has("stackTrace")).isFalse();
            }
        }
    }

    private static List<JsonNode> parse(List<String> lines) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (String line : lines) {
            JsonNode node = JSON.readTree(line);
            assertThat(node.isObject()).as("a JSON object: %s", line).isTrue();
            events.add(node);
        }
        return events;
    }

    private static JsonNode event(List<JsonNode> events, String name) {
        return events.stream()
                .filter(e -> e.has("event") && e.get("event").asText().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " event in " + events));
    }
}
