package dev.tcpkit.service.forward;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.LoopbackListener;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Why a relayed connection ended, as its disconnect event says it (reason, detail, upstream), on every path: either
 * side closing first, either side resetting, the idle timeout, a connect that times out.
 */
@Timeout(30)
final class ForwardCloseReasonTest {
    private ExecutorService pool;
    private LogCapture events;

    @BeforeEach
    void setUp() {
        pool = Executors.newCachedThreadPool();
        // The disconnect event is logged at debug for services that do not announce connections.
        events = LogCapture.of("dev.tcpkit.connection", Level.DEBUG);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        events.close();
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private static TcpServer forward(int port, Duration idleTimeout, Duration connectTimeout) throws Exception {
        return TcpServer.builder()
                .bind("127.0.0.1", 0)
                .idleTimeout(idleTimeout)
                .service(Services.forward()
                        .connectTimeout(connectTimeout)
                        .to("127.0.0.1", port)
                        .build())
                .start();
    }

    private static TcpServer forward(int port) throws Exception {
        return forward(port, Duration.ZERO, Duration.ofSeconds(2));
    }

    /** The disconnect event of the client on {@code clientPort}, waited for up to 10 s. */
    private Map<String, Object> disconnect(int clientPort) throws InterruptedException {
        String client = "127.0.0.1:" + clientPort;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (Map<String, Object> event : events.keyValues()) {
                if ("disconnect".equals(event.get("event")) && client.equals(event.get("client"))) {
                    return event;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no disconnect event for " + client + " in " + events.keyValues());
    }

    @Test
    void aClientThatClosesFirstIsClientClosedAndTheEventNamesTheUpstream() throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(upstream.getLocalPort());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<?> answered = pool.submit(() -> {
                try (Socket s = upstream.accept()) {
                    s.getInputStream().readAllBytes();
                    s.getOutputStream().write("bye".getBytes(UTF_8));
                }
                return null;
            });
            client.send("hi", UTF_8);
            client.shutdownOutput();
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("bye");
            answered.get(10, TimeUnit.SECONDS);
            Map<String, Object> event = disconnect(client.socket().getLocalPort());
            assertThat(event)
                    .containsEntry("reason", "client-closed")
                    .containsEntry("detail", "closed by client")
                    .containsEntry("upstream", "127.0.0.1:" + upstream.getLocalPort());
        }
    }

    @Test
    void anUpstreamThatClosesFirstIsUpstreamClosed() throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(upstream.getLocalPort());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<?> closed = pool.submit(() -> {
                try (Socket s = upstream.accept()) {
                    s.getOutputStream().write("banner".getBytes(UTF_8));
                    s.shutdownOutput();
                    s.getInputStream().readAllBytes();
                }
                return null;
            });
            assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("banner");
            client.shutdownOutput();
            closed.get(10, TimeUnit.SECONDS);
            assertThat(disconnect(client.socket().getLocalPort()))
                    .containsEntry("reason", "upstream-closed")
                    .containsEntry("detail", "closed by upstream 127.0.0.1:" + upstream.getLocalPort());
        }
    }

    @Test
    void aClientResetReachesTheUpstreamAsAResetAndIsPeerReset() throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(upstream.getLocalPort());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<Throwable> atUpstream = pool.submit(() -> {
                try (Socket s = upstream.accept()) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write('x');
                    return catchThrowable(() -> {
                        while (s.getInputStream().read() >= 0) {
                            // the client's byte, then the reset
                        }
                    });
                }
            });
            assertThat(client.readExactly(1)).containsExactly('x');
            client.send(new byte[] {'y'});
            int clientPort = client.socket().getLocalPort();
            client.socket().setSoLinger(true, 0);
            client.socket().close();
            assertThat(atUpstream.get(10, TimeUnit.SECONDS))
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
            assertThat(disconnect(clientPort)).containsEntry("reason", "peer-reset");
        }
    }

    @Test
    void anUpstreamResetIsUpstreamClosedWithItsReason() throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(upstream.getLocalPort());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<?> reset = pool.submit(() -> {
                try (Socket s = upstream.accept()) {
                    s.getOutputStream().write('x');
                    s.getInputStream().read();
                    s.setSoLinger(true, 0);
                }
                return null;
            });
            assertThat(client.readExactly(1)).containsExactly('x');
            client.send(new byte[] {'y'});
            reset.get(10, TimeUnit.SECONDS);
            assertThat(catchThrowable(() -> client.socket().getInputStream().read()))
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
            assertThat(disconnect(client.socket().getLocalPort()))
                    .containsEntry("reason", "upstream-closed")
                    .containsEntry("detail", "upstream 127.0.0.1:" + upstream.getLocalPort() + " reset the connection");
        }
    }

    @Test
    void aClientThatOnlyReceivesIsNotIdleAndIsCutOnceNothingMoves() throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(upstream.getLocalPort(), Duration.ofMillis(600), Duration.ofSeconds(2));
                LoopbackClient client = LoopbackClient.connect(server.port()).readTimeout(Duration.ofSeconds(10))) {
            // The upstream talks for 2 s, a byte every 150 ms, then falls silent with its socket open.
            Future<?> talked = pool.submit(() -> {
                try (Socket s = upstream.accept()) {
                    for (int i = 0; i < 14; i++) {
                        s.getOutputStream().write('.');
                        Thread.sleep(150);
                    }
                    s.getInputStream().read(); // until the relay closes it
                }
                return null;
            });
            long start = System.nanoTime();
            assertThat(client.readExactly(14)).hasSize(14); // the client never sends: each byte was received
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(1500));
            assertThat(client.readUntilClosedOrReset()).isEmpty();
            talked.get(10, TimeUnit.SECONDS);
            assertThat(disconnect(client.socket().getLocalPort()))
                    .containsEntry("reason", "idle-timeout")
                    .containsEntry("detail", "idle for 600ms (--idle-timeout)");
        }
    }

    @Test
    void anUpstreamThatNeverAnswersTheConnectTimesOut() throws Exception {
        // A listener whose accept queue is full: the kernel drops further SYNs, so a connect to it hangs.
        try (ServerSocket full = new ServerSocket()) {
            full.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            List<Socket> queued = new ArrayList<>();
            boolean filled = false;
            try {
                for (int i = 0; i < 16 && !filled; i++) {
                    Socket s = new Socket();
                    try {
                        s.connect(full.getLocalSocketAddress(), 300);
                        queued.add(s);
                    } catch (SocketTimeoutException e) {
                        s.close();
                        filled = true;
                    }
                }
                assumeTrue(filled, "this kernel never fills a loopback accept queue");
                try (LogCapture log = LogCapture.of("dev.tcpkit.service.forward");
                        TcpServer server = forward(full.getLocalPort(), Duration.ZERO, Duration.ofMillis(300));
                        LoopbackClient client = LoopbackClient.connect(server.port())) {
                    assertThat(client.readUntilClosedOrReset()).isEmpty();
                    Map<String, Object> event = disconnect(client.socket().getLocalPort());
                    assertThat(event).containsEntry("reason", "upstream-failed");
                    assertThat((String) event.get("detail"))
                            .isEqualTo("no upstream: 127.0.0.1:" + full.getLocalPort() + " (timed out after 300 ms)");
                    assertThat(log.messages()).anyMatch(m -> m.contains("(timed out after 300 ms)"));
                }
            } finally {
                for (Socket s : queued) {
                    s.close();
                }
            }
        }
    }
}
