package dev.tcpkit.service.forward;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.LoopbackListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The forward service over real loopback sockets: a Java upstream, tcpkit in the middle, a Java client. */
@Timeout(60)
final class ForwardLoopbackTest {
    private static final int MIB = 1024 * 1024;

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

    private static TcpServer forward(int... ports) throws Exception {
        var builder = Services.forward().connectTimeout(Duration.ofSeconds(2));
        for (int port : ports) {
            builder.to("127.0.0.1", port);
        }
        return TcpServer.builder().bind("127.0.0.1", 0).service(builder.build()).start();
    }

    /** A port nothing listens on: bound, then closed. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = LoopbackListener.open()) {
            return s.getLocalPort();
        }
    }

    private static byte[] random(long seed) {
        byte[] data = new byte[MIB];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    @Test
    void aMebibyteOfRandomBytesPassesBothWaysExactly() throws Exception {
        byte[] up = random(1);
        byte[] down = random(2);
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(upstream.getLocalPort());
                LoopbackClient client = LoopbackClient.connect(server.port()).readTimeout(Duration.ofSeconds(20))) {
            Future<byte[]> atUpstream = pool.submit(() -> {
                try (Socket s = upstream.accept()) {
                    s.setSoTimeout(20_000);
                    Future<?> sent = pool.submit(() -> {
                        s.getOutputStream().write(down);
                        s.getOutputStream().flush();
                        return null;
                    });
                    byte[] got = s.getInputStream().readNBytes(MIB);
                    sent.get(20, TimeUnit.SECONDS);
                    return got;
                }
            });
            Future<?> sent = pool.submit(() -> {
                client.send(up);
                return null;
            });
            byte[] atClient = client.readExactly(MIB);
            sent.get(20, TimeUnit.SECONDS);
            assertThat(Arrays.equals(atUpstream.get(20, TimeUnit.SECONDS), up))
                    .as("upstream got the client's 1 MiB")
                    .isTrue();
            assertThat(Arrays.equals(atClient, down))
                    .as("client got the upstream's 1 MiB")
                    .isTrue();
        }
    }

    @Test
    void aClientThatHalfClosesStillGetsTheUpstreamsAnswer() throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(upstream.getLocalPort());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<String> atUpstream = pool.submit(() -> {
                try (Socket s = upstream.accept()) {
                    s.setSoTimeout(10_000);
                    byte[] request = s.getInputStream().readAllBytes(); // until the client's half-close arrives
                    s.getOutputStream()
                            .write(("answer to " + new String(request, StandardCharsets.UTF_8))
                                    .getBytes(StandardCharsets.UTF_8));
                    s.getOutputStream().flush();
                    return new String(request, StandardCharsets.UTF_8);
                }
            });
            client.send("question", StandardCharsets.UTF_8);
            client.shutdownOutput();
            assertThat(new String(client.readToEnd(), StandardCharsets.UTF_8)).isEqualTo("answer to question");
            assertThat(atUpstream.get(10, TimeUnit.SECONDS)).isEqualTo("question");
        }
    }

    @Test
    void anUpstreamHalfCloseReachesTheClientWhichMaySendStill() throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(upstream.getLocalPort());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<String> atUpstream = pool.submit(() -> {
                try (Socket s = upstream.accept()) {
                    s.setSoTimeout(10_000);
                    s.getOutputStream().write("banner".getBytes(StandardCharsets.UTF_8));
                    s.shutdownOutput();
                    return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                }
            });
            assertThat(new String(client.readToEnd(), StandardCharsets.UTF_8)).isEqualTo("banner");
            client.send("after the banner", StandardCharsets.UTF_8);
            client.shutdownOutput();
            assertThat(atUpstream.get(10, TimeUnit.SECONDS)).isEqualTo("after the banner");
        }
    }

    @Test
    void aRefusedUpstreamFailsOverToTheNext() throws Exception {
        int refused = closedPort();
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(refused, upstream.getLocalPort());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<?> answered = pool.submit(() -> {
                try (Socket s = upstream.accept()) {
                    s.getOutputStream().write("hi".getBytes(StandardCharsets.UTF_8));
                }
                return null;
            });
            assertThat(new String(client.readToEnd(), StandardCharsets.UTF_8)).isEqualTo("hi");
            answered.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void whenEveryUpstreamRefusesTheClientIsClosedAndOneLineNamesThemAll() throws Exception {
        int first = closedPort();
        int second = closedPort();
        try (LogCapture log = LogCapture.of("dev.tcpkit.service.forward");
                TcpServer server = forward(first, second);
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            assertThat(client.readUntilClosedOrReset()).isEmpty();
            List<String> lines = awaitLines(log);
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0))
                    .contains("127.0.0.1:" + first + " (connection refused)")
                    .contains("127.0.0.1:" + second + " (connection refused)");
        }
    }

    private static List<String> awaitLines(LogCapture log) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (log.messages().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return log.messages();
    }

    @Test
    void anUpstreamResetReachesTheClientAsAReset() throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(upstream.getLocalPort());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            // Connected both ways first (a reset during the connect is a failed connect), then the upstream resets.
            CompletableFuture<Void> reset = CompletableFuture.runAsync(
                    () -> {
                        try (Socket s = upstream.accept()) {
                            s.setSoTimeout(10_000);
                            s.getOutputStream().write('x');
                            s.getInputStream().read();
                            s.setSoLinger(true, 0);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    pool);
            assertThat(client.readExactly(1)).containsExactly('x');
            client.send(new byte[] {'y'});
            reset.get(10, TimeUnit.SECONDS);
            InputStream in = client.socket().getInputStream();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(in::read))
                    .isInstanceOf(java.net.SocketException.class)
                    .hasMessageContaining("reset");
        }
    }
}
