package dev.tcpkit.service.forward;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.AdminHttp;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.LoopbackListener;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a relay shows of itself (the admin API's upstream, the per-upstream metrics, a rate-limited "no upstream"
 * line), its host name lookups, and a real third-party upstream (socat).
 */
@Timeout(30)
final class ForwardObservabilityTest {
    private ExecutorService pool;

    @BeforeEach
    void pool() {
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** A port nothing listens on: bound, then closed. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = LoopbackListener.open()) {
            return s.getLocalPort();
        }
    }

    @Test
    void theAdminApiShowsEachConnectionsUpstreamAndMetricsCountPerUpstream() throws Exception {
        int refused = closedPort();
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .admin("127.0.0.1", 0)
                        .service(Services.forward()
                                .to("127.0.0.1", refused)
                                .to("127.0.0.1", upstream.getLocalPort())
                                .build())
                        .start()) {
            AdminHttp admin = new AdminHttp(Objects.requireNonNull(server.adminUrl()));
            String to = "127.0.0.1:" + upstream.getLocalPort();
            try (LoopbackClient client = LoopbackClient.connect(server.port())) {
                Future<?> answered = pool.submit(() -> {
                    try (Socket s = upstream.accept()) {
                        s.getOutputStream().write("hello".getBytes(UTF_8));
                        s.getInputStream().readAllBytes();
                    }
                    return null;
                });
                assertThat(new String(client.readExactly(5), UTF_8)).isEqualTo("hello");
                JsonNode connections = admin.json("/api/connections").get("connections");
                assertThat(connections).hasSize(1);
                assertThat(connections.get(0).get("upstream").asText()).isEqualTo(to);
                client.send("hi, upstream", UTF_8);
                client.shutdownOutput();
                assertThat(client.readToEnd()).isEmpty();
                answered.get(10, TimeUnit.SECONDS);
            }
            // The counts are final once the relay has closed both ends.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.connections().openCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Map<String, Double> metrics = admin.metrics();
            String good = "upstream=\"" + to + "\"";
            String bad = "upstream=\"127.0.0.1:" + refused + "\"";
            assertThat(metrics)
                    .containsEntry("tcpkit_forward_upstream_connects_total{" + good + "}", 1.0)
                    .containsEntry("tcpkit_forward_upstream_connects_total{" + bad + "}", 0.0)
                    .containsEntry(
                            "tcpkit_forward_upstream_connect_failures_total{reason=\"refused\"," + bad + "}", 1.0)
                    .containsEntry(
                            "tcpkit_forward_upstream_connect_failures_total{reason=\"timeout\"," + bad + "}", 0.0)
                    .containsEntry("tcpkit_forward_upstream_bytes_total{direction=\"sent\"," + good + "}", 12.0)
                    .containsEntry("tcpkit_forward_upstream_bytes_total{direction=\"received\"," + good + "}", 5.0);
        }
    }

    @Test
    void aFloodOfClientsAgainstDeadUpstreamsLogsAboutOneLineASecondWithTheCountLeftOut() throws Exception {
        int dead = closedPort();
        try (LogCapture log = LogCapture.of("dev.tcpkit.service.forward");
                TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.forward().to("127.0.0.1", dead).build())
                        .start()) {
            long start = System.nanoTime();
            for (int i = 0; i < 30; i++) {
                try (LoopbackClient client = LoopbackClient.connect(server.port())) {
                    assertThat(client.readUntilClosedOrReset()).isEmpty();
                }
            }
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
            assertThat(log.messages()).hasSizeLessThanOrEqualTo((int) seconds + 1);
            Thread.sleep(1100); // the one-second window passes: the next line says how many were left out
            try (LoopbackClient client = LoopbackClient.connect(server.port())) {
                assertThat(client.readUntilClosedOrReset()).isEmpty();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (log.messages().stream().noneMatch(m -> m.contains(" more closed since the last such line"))
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(log.messages())
                    .last()
                    .asString()
                    .contains("no upstream: 127.0.0.1:" + dead + " (connection refused)")
                    .containsPattern("\\(and \\d+ more closed since the last such line\\)");
        }
    }

    @Test
    void anUpstreamNamedByHostNameIsFoundThroughEtcHosts() throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.forward()
                                .to("localhost", upstream.getLocalPort())
                                .build())
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<?> answered = pool.submit(() -> {
                try (Socket s = upstream.accept()) {
                    s.getOutputStream().write("found".getBytes(UTF_8));
                }
                return null;
            });
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("found");
            answered.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aMebibyteEchoedBySocatComesBackExactly() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/socat")), "socat is not installed");
        int port = closedPort();
        Process socat = new ProcessBuilder(
                        "/usr/bin/socat", "TCP-LISTEN:" + port + ",bind=127.0.0.1,reuseaddr,fork", "EXEC:cat")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            awaitListening(port);
            byte[] data = new byte[1024 * 1024];
            new SplittableRandom(3).nextBytes(data);
            try (TcpServer server = TcpServer.builder()
                            .bind("127.0.0.1", 0)
                            .service(Services.forward().to("127.0.0.1", port).build())
                            .start();
                    LoopbackClient client =
                            LoopbackClient.connect(server.port()).readTimeout(Duration.ofSeconds(20))) {
                Future<?> sent = pool.submit(() -> {
                    client.send(data);
                    client.shutdownOutput();
                    return null;
                });
                byte[] back = client.readToEnd();
                sent.get(20, TimeUnit.SECONDS);
                assertThat(back.length).isEqualTo(data.length);
                assertThat(Arrays.equals(back, data))
                        .as("socat's cat echoed the mebibyte exactly")
                        .isTrue();
            }
        } finally {
            socat.destroy();
            if (!socat.waitFor(5, TimeUnit.SECONDS)) {
                socat.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Waits up to 5 s for something to listen on {@code port}; each probe is a connection socat forks a cat for. */
    private static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("socat is not listening on " + port, e);
                }
                Thread.sleep(20);
            }
        }
    }
}
