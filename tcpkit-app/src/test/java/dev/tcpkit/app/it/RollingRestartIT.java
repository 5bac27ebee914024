package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.testing.RequiredProgram;
import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rolling-restart promise (SPEC §7, issue 15) against the real HAProxy: two {@code serve reply} instances behind it,
 * health-checked on {@code /health}, PROXY v2 in front of every connection; one is stopped with SIGTERM and started
 * again on the same ports while a client opens a new connection every 20 ms, and not one connection fails.
 *
 * <p>{@code -Drolling.shutdownDelay=0s} runs the same restart without the delay: then some connections fail (HAProxy
 * still sends them to the instance that stopped listening, until its next check), and so does this test. See
 * docs/RELIABILITY.md, Rolling restarts, for the figures.
 */
@Timeout(180)
final class RollingRestartIT {
    private static final Duration SHUTDOWN_DELAY = Duration.parse(
            "PT" + System.getProperty("rolling.shutdownDelay", "2s").toUpperCase(Locale.ROOT));
    private static final Duration EVERY = Duration.ofMillis(20);
    private static final int CONNECTIONS = 500; // 10 s
    /** The connection during whose attempt instance A gets its SIGTERM: 2 s in. */
    private static final int RESTART_AT = 100;

    private static final Pattern ADMIN = Pattern.compile("admin on (http://\\S+/)");

    /** Every process this test started, stopped by its PID afterwards whatever happened. */
    private final List<TcpkitProcess> processes = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopEveryProcess() {
        processes.forEach(TcpkitProcess::close);
    }

    @Test
    void aRestartBehindHaproxyLosesNoConnection(@TempDir Path dir) throws Exception {
        RequiredProgram.require("haproxy");
        int portA = Tutorial.freePort();
        int adminA = Tutorial.freePort();
        int portB = Tutorial.freePort();
        int adminB = Tutorial.freePort();
        TcpkitProcess a = serve(portA, adminA);
        TcpkitProcess b = serve(portB, adminB);
        int front = Tutorial.freePort();
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, haproxyConfig(front, portA, adminA, portB, adminB), US_ASCII);
        TcpkitProcess haproxy = started(
                TcpkitProcess.startCommand("haproxy", List.of("haproxy", "-db", "-f", config.toString()), Map.of()));
        await("HAProxy answering on port " + front)
                .atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .failFast("haproxy exited: " + haproxy.stderrLines(), () -> !haproxy.isAlive())
                .until(() -> attempt(front, "probe").failure() == null);

        CountDownLatch restartNow = new CountDownLatch(1);
        List<ScheduledFuture<Outcome>> outcomes = new ArrayList<>();
        ScheduledExecutorService client = Executors.newScheduledThreadPool(16);
        TcpkitProcess again;
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                int n = i;
                outcomes.add(client.schedule(
                        () -> {
                            if (n == RESTART_AT) {
                                restartNow.countDown();
                            }
                            return attempt(front, "conn-" + n);
                        },
                        n * EVERY.toMillis(),
                        TimeUnit.MILLISECONDS));
            }
            assertThat(restartNow.await(30, TimeUnit.SECONDS)).isTrue();
            a.terminate();
            assertThat(a.awaitExit(SHUTDOWN_DELAY.plusSeconds(20))).isZero();
            again = serve(portA, adminA);
            for (ScheduledFuture<Outcome> outcome : outcomes) {
                outcome.get(60, TimeUnit.SECONDS);
            }
        } finally {
            client.shutdownNow();
        }

        List<Outcome> failed = new ArrayList<>();
        Map<String, Integer> clientPorts = new HashMap<>();
        for (ScheduledFuture<Outcome> f : outcomes) {
            Outcome outcome = f.get();
            if (outcome.failure() != null) {
                failed.add(outcome);
            } else {
                clientPorts.put(outcome.line(), outcome.localPort());
            }
        }
        int servedByA = records(a).size();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> servedByA + records(b).size() + records(again).size() >= clientPorts.size());
        System.out.printf(
                Locale.ROOT,
                "rolling restart, --shutdown-delay %s: %d connections tried, %d failed; served by A %d, B %d,"
                        + " A restarted %d%n",
                SHUTDOWN_DELAY,
                CONNECTIONS,
                failed.size(),
                servedByA,
                records(b).size(),
                records(again).size());
        assertThat(failed).as("connections that failed").isEmpty();
        assertThat(servedByA).as("served by A before its restart").isPositive();
        assertThat(records(b)).as("served by B").isNotEmpty();
        assertThat(records(again)).as("served by A after its restart").isNotEmpty();

        // Each connection is recorded once, under the client's own address and port: the PROXY v2 header's, not
        // HAProxy's (which is 127.0.0.1 too, with a port of its own).
        List<Records.Line> all = new ArrayList<>(records(a));
        all.addAll(records(b));
        all.addAll(records(again));
        assertThat(all).hasSize(CONNECTIONS);
        for (Records.Line record : all) {
            assertThat(record.client()).startsWith("127.0.0.1:");
            assertThat(record.clientPort()).as(record.text()).isEqualTo(clientPorts.get(record.text()));
        }
    }

    @Test
    void aSecondSigtermEndsTheShutdownDelayAndTheServerKeepsAcceptingUntilThen() throws Exception {
        TcpkitProcess server = started(TcpkitProcess.startServe(
                "reply", "--reply", "ok", "--framing", "line", "--admin-port", "0", "--shutdown-delay", "5m"));
        int port = server.awaitListening();
        Matcher admin = ADMIN.matcher(server.awaitStderrLine(ADMIN.asPredicate()));
        assertThat(admin.find()).isTrue();
        URI health = URI.create(admin.group(1) + "health");
        assertThat(status(health)).isEqualTo(200);

        server.terminate();
        server.awaitStderrLine(l -> l.contains("still serving for 5m while /health answers 503"));
        assertThat(status(health)).isEqualTo(503);
        assertThat(attempt(port, "during the delay").failure()).isNull();
        assertThat(server.isAlive()).isTrue();

        server.terminate();
        assertThat(server.awaitExit(Duration.ofSeconds(20))).isZero();
        assertThat(server.stderrLines()).anyMatch(l -> l.contains("shutdown delay ended early"));
        assertThat(Records.parse(server.stdoutLines()))
                .extracting(Records.Line::text)
                .containsExactly("during the delay");
    }

    /** One connection's fate: the line it sent, its local port, and why it failed, or {@code null}. */
    record Outcome(String line, int localPort, @Nullable String failure) {}

    /** Connects, sends {@code line}, and expects {@code ok} and the server's close; every step is bounded. */
    private static Outcome attempt(int port, String line) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write((line + "\n").getBytes(US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), US_ASCII);
            return new Outcome(line, socket.getLocalPort(), answer.equals("ok") ? null : "answered '" + answer + "'");
        } catch (IOException e) {
            return new Outcome(line, -1, e.toString());
        }
    }

    /** A {@code serve reply} instance behind the balancer: PROXY protocol, the admin port, the shutdown delay. */
    private TcpkitProcess serve(int port, int adminPort) throws InterruptedException {
        TcpkitProcess server = started(TcpkitProcess.start(
                "serve",
                "reply",
                "--reply",
                "ok",
                "--framing",
                "line",
                "--proxy-protocol",
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--admin-port",
                Integer.toString(adminPort),
                "--shutdown-delay",
                SHUTDOWN_DELAY.toMillis() + "ms"));
        server.awaitListening();
        return server;
    }

    private TcpkitProcess started(TcpkitProcess process) {
        processes.add(process);
        return process;
    }

    /** The records of the test's connections (the readiness probes' left out). */
    private static List<Records.Line> records(TcpkitProcess server) {
        return Records.parse(server.stdoutLines()).stream()
                .filter(r -> r.text().startsWith("conn-"))
                .toList();
    }

    /** The configuration README's "Behind a load balancer" shows, on this test's ports. */
    private static String haproxyConfig(int front, int portA, int adminA, int portB, int adminB) {
        return """
                defaults
                    mode tcp
                    timeout connect 1s
                    timeout check 2s
                    timeout client 30s
                    timeout server 30s
                    retries 0

                frontend tcpkit
                    bind 127.0.0.1:%d
                    default_backend tcpkit

                backend tcpkit
                    option httpchk GET /health
                    server a 127.0.0.1:%d send-proxy-v2 check port %d inter 300ms fall 1 rise 1
                    server b 127.0.0.1:%d send-proxy-v2 check port %d inter 300ms fall 1 rise 1
                """.formatted(front, portA, adminA, portB, adminB);
    }

    private static int status(URI uri) throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request =
                HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
