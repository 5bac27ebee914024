package dev.tcpkit.admin;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.AdminHttp;
import dev.tcpkit.testing.LoopbackClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The admin endpoint against what a hostile web page or client does, over raw HTTP on loopback: a DNS-rebound page
 * (a foreign {@code Host}), requests that dribble or never end, oversized requests, and paths that would break a
 * hand-built JSON string. See issue 11.
 */
@Timeout(120)
final class AdminAbuseTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TcpServer.Builder echo() {
        return TcpServer.builder().bind("127.0.0.1", 0).service(Services.echo()).admin(null, 0);
    }

    private static int adminPort(TcpServer server) {
        return Objects.requireNonNull(server.adminAddress()).getPort();
    }

    // --- DNS rebinding: only an IP literal or localhost as Host ---

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:PORT", "127.0.0.1.nip.io:PORT", "localhost.evil.example"})
    void aRequestForAHostNameIsMisdirected(String host) throws Exception {
        try (TcpServer server = echo().start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("x", US_ASCII);
            assertThat(client.readExactly(1)).isEqualTo("x".getBytes(US_ASCII)); // registered by now
            int port = adminPort(server);
            Response stats = request(
                    port, "GET /api/connections HTTP/1.1\r\nHost: " + host.replace("PORT", "" + port) + "\r\n\r\n");
            assertThat(stats.status()).isEqualTo(421);
            assertThat(stats.body()).doesNotContain("connections\":[");
            assertThat(json(stats.body()).get("error").asText()).contains("--admin-allow-host");

            // A rebound page's close: its Origin and its Host are both the attacker's, and agree.
            Response close = request(
                    port,
                    "POST /api/connections/1/close HTTP/1.1\r\nHost: " + host.replace("PORT", "" + port)
                            + "\r\nOrigin: http://" + host.replace("PORT", "" + port)
                            + "\r\nContent-Length: 0\r\n\r\n");
            assertThat(close.status()).isEqualTo(421);
            assertThat(server.connections().openCount()).isOne();
            client.send("still open", US_ASCII);
            assertThat(client.readExactly(10)).isEqualTo("still open".getBytes(US_ASCII));
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"127.0.0.1:PORT", "127.0.0.1", "[::1]:PORT", "[::1]", "localhost:PORT", "LocalHost", "10.1.2.3"})
    void anIpLiteralOrLocalhostAsHostIsAnswered(String host) throws Exception {
        try (TcpServer server = echo().start()) {
            int port = adminPort(server);
            Response stats =
                    request(port, "GET /api/stats HTTP/1.1\r\nHost: " + host.replace("PORT", "" + port) + "\r\n\r\n");
            assertThat(stats.status()).isEqualTo(200);
            assertThat(json(stats.body()).get("service").asText()).isEqualTo("echo");
        }
    }

    @Test
    void aRequestWithoutHostIsAnswered() throws Exception {
        try (TcpServer server = echo().start()) {
            Response stats = request(adminPort(server), "GET /api/stats HTTP/1.0\r\n\r\n");
            assertThat(stats.status()).isEqualTo(200);
            assertThat(json(stats.body()).get("service").asText()).isEqualTo("echo");
        }
    }

    @Test
    void adminAllowHostAddsTheNamesTheEndpointIsReachedBy() throws Exception {
        try (TcpServer server = echo().adminAllowHost("tcpkit-admin.internal")
                .adminAllowHost("status.example.org")
                .start()) {
            int port = adminPort(server);
            for (String host :
                    List.of("tcpkit-admin.internal:" + port, "TCPKIT-ADMIN.internal", "status.example.org")) {
                assertThat(request(port, "GET /api/stats HTTP/1.1\r\nHost: " + host + "\r\n\r\n")
                                .status())
                        .as(host)
                        .isEqualTo(200);
            }
            assertThat(request(port, "GET /api/stats HTTP/1.1\r\nHost: evil.example\r\n\r\n")
                            .status())
                    .isEqualTo(421);
        }
    }

    // --- Every body is JSON ---

    @Test
    void aNotFoundPathWithControlCharactersAndQuotesIsStillValidJson() throws Exception {
        try (TcpServer server = echo().start()) {
            AdminHttp http = new AdminHttp(Objects.requireNonNull(server.adminUrl()));
            HttpResponse<String> response = http.get("/a%0ab%22c%5C%00");
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(json(response.body()).get("error").asText()).isEqualTo("no such page: /a\nb\"c\\\0");
        }
    }

    // --- Slow and oversized requests ---

    @Test
    void aRequestDribbledOneByteAtATimeIsCutAtTheDeadline() throws Exception {
        try (TcpServer server =
                        echo().adminRequestTimeout(Duration.ofMillis(600)).start();
                LoopbackClient slow = LoopbackClient.connect(adminPort(server))) {
            String request = "GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + "y".repeat(200) + "\r\n\r\n";
            long start = System.nanoTime();
            boolean cut = false;
            for (int i = 0; i < request.length() - 4 && !cut; i++) {
                try {
                    slow.send(request.substring(i, i + 1), US_ASCII);
                    cut = closedWithin(slow, Duration.ofMillis(100));
                } catch (SocketException reset) {
                    cut = true;
                }
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(cut).as("cut while still dribbling").isTrue();
            assertThat(took).isBetween(Duration.ofMillis(500), Duration.ofSeconds(5));
        }
    }

    @Test
    void eachAnswerRestartsTheDeadlineSoAKeepAliveClientIsServedForLonger() throws Exception {
        try (TcpServer server =
                        echo().adminRequestTimeout(Duration.ofSeconds(2)).start();
                LoopbackClient client = LoopbackClient.connect(adminPort(server))) {
            for (int i = 0; i < 5; i++) { // 5 x 1 s: two and a half times the deadline in all
                client.send("GET /api/stats HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", US_ASCII);
                assertThat(readResponse(client.socket().getInputStream()).status())
                        .isEqualTo(200);
                assertThat(closedWithin(client, Duration.ofSeconds(1))).isFalse();
            }
            // Idle after its last answer: cut once the deadline passes.
            assertThat(closedWithin(client, Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void thePageStaysReachableWhileOneHundredAndFiftySlowClientsHoldConnections() throws Exception {
        try (TcpServer server = echo().start()) {
            int port = adminPort(server);
            AdminHttp http = new AdminHttp(Objects.requireNonNull(server.adminUrl()));
            List<LoopbackClient> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 150; i++) {
                    LoopbackClient c = LoopbackClient.connect(port);
                    slow.add(c);
                    c.send("GET /api/stats HTTP/1.1\r\n", US_ASCII);
                }
                long end = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                int asked = 0;
                while (System.nanoTime() < end || asked < 5) {
                    for (LoopbackClient c : slow) {
                        dribble(c);
                    }
                    long t = System.nanoTime();
                    assertThat(http.get("/api/stats").statusCode()).isEqualTo(200);
                    assertThat(Duration.ofNanos(System.nanoTime() - t)).isLessThan(Duration.ofSeconds(5));
                    asked++;
                }
                int open = 0;
                for (LoopbackClient c : slow) {
                    open += closedWithin(c, Duration.ofMillis(1)) ? 0 : 1;
                }
                assertThat(open)
                        .as("slow clients still connected")
                        .isLessThanOrEqualTo(AdminServer.MAX_CONNECTIONS)
                        .isPositive();
                // The ones dropped were the oldest.
                assertThat(closedWithin(slow.get(0), Duration.ofMillis(1))).isTrue();
                assertThat(closedWithin(slow.get(slow.size() - 1), Duration.ofMillis(1)))
                        .isFalse();
            } finally {
                for (LoopbackClient c : slow) {
                    c.close();
                }
            }
        }
    }

    @Test
    void anOversizedBodyIs413AndTheConnectionCloses() throws Exception {
        try (TcpServer server = echo().start();
                LoopbackClient client = LoopbackClient.connect(adminPort(server))) {
            client.send(
                    "POST /api/connections/1/close HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n"
                            + "x".repeat(1000),
                    US_ASCII);
            Response response = readResponse(client.socket().getInputStream());
            assertThat(response.status()).isEqualTo(413);
            assertThat(response.header("connection")).isEqualToIgnoringCase("close");
            assertThat(json(response.body()).get("error").asText()).contains("8192");
            assertThat(closedWithin(client, Duration.ofSeconds(3))).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"uri", "header"})
    void anOversizedRequestLineOrHeaderIsRefusedWithItsOwnStatusAndTheConnectionCloses(String what) throws Exception {
        try (TcpServer server = echo().start();
                LoopbackClient client = LoopbackClient.connect(adminPort(server))) {
            String huge = "y".repeat(20_000);
            client.send(
                    what.equals("uri")
                            ? "GET /" + huge + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                            : "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + huge + "\r\n\r\n",
                    US_ASCII);
            Response response = readResponse(client.socket().getInputStream());
            assertThat(response.status()).isEqualTo(what.equals("uri") ? 414 : 431);
            assertThat(json(response.body()).get("error").asText()).isNotBlank();
            assertThat(closedWithin(client, Duration.ofSeconds(3))).isTrue();
        }
    }

    // --- Helpers ---

    /** One exchange on a connection of its own. */
    private static Response request(int port, String request) throws IOException {
        try (LoopbackClient client = LoopbackClient.connect(port)) {
            client.send(request, US_ASCII);
            return readResponse(client.socket().getInputStream());
        }
    }

    /** Sends one more byte of a request header that never ends, unless the server closed the connection. */
    private static void dribble(LoopbackClient c) throws IOException {
        if (!c.socket().isOutputShutdown() && !closedWithin(c, Duration.ofMillis(1))) {
            try {
                c.send(new byte[] {'y'});
            } catch (SocketException reset) {
                c.shutdownOutput();
            }
        }
    }

    /** Whether the server closed (or reset) the connection within {@code wait}; other bytes count as not closed. */
    private static boolean closedWithin(LoopbackClient client, Duration wait) throws IOException {
        client.readTimeout(wait);
        try {
            return client.socket().getInputStream().read() < 0;
        } catch (SocketTimeoutException open) {
            return false;
        } catch (SocketException reset) {
            return true;
        } finally {
            client.readTimeout(Duration.ofSeconds(5));
        }
    }

    private static JsonNode json(String body) throws IOException {
        return JSON.readTree(body);
    }

    record Response(int status, List<String> headers, String body) {
        String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return headers.stream()
                    .filter(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(h -> h.substring(prefix.length()).trim())
                    .findFirst()
                    .orElse("");
        }
    }

    /** Reads one HTTP/1.1 response with a {@code Content-Length}, as the admin endpoint sends them. */
    private static Response readResponse(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("end of stream in the response head: " + lines);
            }
            if (b == '\n') {
                String l = line.toString(US_ASCII).stripTrailing();
                line.reset();
                if (l.isEmpty()) {
                    break;
                }
                lines.add(l);
            } else {
                line.write(b);
            }
        }
        int status = Integer.parseInt(lines.get(0).substring(9, 12)); // "HTTP/1.1 200 OK"
        List<String> headers = lines.subList(1, lines.size());
        Response head = new Response(status, headers, "");
        String length = head.header("content-length");
        byte[] body = in.readNBytes(length.isEmpty() ? 0 : Integer.parseInt(length));
        return new Response(status, headers, new String(body, UTF_8));
    }
}
