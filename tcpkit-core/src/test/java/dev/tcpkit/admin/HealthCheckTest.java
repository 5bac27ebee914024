package dev.tcpkit.admin;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.LoopbackClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /health}, a load balancer's check, over raw HTTP on loopback: 200 while serving, 503 from the moment the stop
 * begins; no token, any {@code Host}, nothing else revealed (issue 15).
 */
@Timeout(60)
final class HealthCheckTest {
    private static final String TOKEN = "s3cret-token";
    private static final String SERVING = "{\"status\":\"serving\"}";
    private static final String DRAINING = "{\"status\":\"draining\"}";

    /** An echo server whose admin endpoint requires a token, stopping slowly enough to be seen draining. */
    private static TcpServer server() throws Exception {
        return TcpServer.builder()
                .bind("127.0.0.1", 0)
                .service(Services.echo())
                .admin(null, 0)
                .adminToken(TOKEN)
                .shutdownDelay(Duration.ofSeconds(30))
                .start();
    }

    @Test
    void answersServingWithoutTheTokenTheRestRequires() throws Exception {
        try (TcpServer server = server()) {
            String health = exchange(server, "GET", "/health", "127.0.0.1");
            assertThat(health).startsWith("HTTP/1.1 200 OK\r\n").contains("content-type: application/json");
            assertThat(body(health)).isEqualTo(SERVING);
            assertThat(exchange(server, "GET", "/api/stats", "127.0.0.1")).startsWith("HTTP/1.1 401 ");
            server.endShutdownDelay();
        }
    }

    @Test
    void answersAHostNameTheRestRefuses() throws Exception {
        try (TcpServer server = server()) {
            assertThat(exchange(server, "GET", "/health", "tcpkit-pool.example"))
                    .startsWith("HTTP/1.1 200 OK\r\n");
            assertThat(exchange(server, "GET", "/api/stats?token=" + TOKEN, "tcpkit-pool.example"))
                    .startsWith("HTTP/1.1 421 ");
            server.endShutdownDelay();
        }
    }

    @Test
    void headGetsTheStatusWithoutABody() throws Exception {
        try (TcpServer server = server()) {
            String head = exchange(server, "HEAD", "/health", "127.0.0.1");
            assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").endsWith("\r\n\r\n");
            assertThat(body(head)).isEmpty();
            server.endShutdownDelay();
        }
    }

    @Test
    void otherMethodsAreNotAllowed() throws Exception {
        try (TcpServer server = server()) {
            String post = exchange(server, "POST", "/health", "127.0.0.1");
            assertThat(post).startsWith("HTTP/1.1 405 ").contains("allow: GET, HEAD");
            server.endShutdownDelay();
        }
    }

    @Test
    void theLimitsShowTheShutdownDelay() throws Exception {
        try (TcpServer server = server()) {
            try {
                String stats = exchange(server, "GET", "/api/stats?token=" + TOKEN, "127.0.0.1");
                assertThat(body(stats)).contains("\"shutdownDelaySeconds\":30.0");
            } finally {
                server.endShutdownDelay();
            }
        }
    }

    @Test
    void answersDrainingFromTheMomentTheStopBegins() throws Exception {
        TcpServer server = server();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        try {
            await().atMost(Duration.ofSeconds(10)).until(server::draining);
            String health = exchange(server, "GET", "/health", "127.0.0.1");
            assertThat(health).startsWith("HTTP/1.1 503 Service Unavailable\r\n");
            assertThat(body(health)).isEqualTo(DRAINING);
            String head = exchange(server, "HEAD", "/health", "127.0.0.1");
            assertThat(head).startsWith("HTTP/1.1 503 ").endsWith("\r\n\r\n");
            // Still within the 30 s delay: the server goes on accepting while it says so.
            assertThat(closing).isNotDone();
        } finally {
            server.endShutdownDelay();
            closing.get(20, TimeUnit.SECONDS);
        }
    }

    /** One request on a connection of its own, closed by the server after the answer: the whole answer as text. */
    private static String exchange(TcpServer server, String method, String path, String host) throws IOException {
        int port = Objects.requireNonNull(server.adminAddress()).getPort();
        try (LoopbackClient client = LoopbackClient.connect(port)) {
            client.readTimeout(Duration.ofSeconds(10));
            client.send(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n", US_ASCII);
            return new String(client.readToEnd(), US_ASCII);
        }
    }

    private static String body(String response) {
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
}
