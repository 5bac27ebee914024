package dev.tcpkit;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.testing.LoopbackClient;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link TcpServer.Builder#shutdownDelay}: a stopping server goes on accepting for the delay while it says it is
 * draining, then stops listening (issue 15, rolling restarts behind a load balancer).
 */
@Timeout(60)
final class ShutdownDelayTest {
    private static final Duration DELAY = Duration.ofMillis(1500);

    private static TcpServer echo(Duration delay) throws Exception {
        return TcpServer.builder()
                .bind("127.0.0.1", 0)
                .service(Services.echo())
                .shutdownDelay(delay)
                .start();
    }

    @Test
    void acceptsNewConnectionsDuringTheDelayAndStopsListeningAfterIt() throws Exception {
        TcpServer server = echo(DELAY);
        int port = server.port();
        long started = System.nanoTime();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        await().atMost(Duration.ofSeconds(5)).until(server::draining);
        try (LoopbackClient late = LoopbackClient.connect(port)) {
            late.send("after the stop began\n", US_ASCII);
            assertThat(late.readExactly(21)).isEqualTo("after the stop began\n".getBytes(US_ASCII));
        }
        assertThat(closing).as("still within the delay").isNotDone();
        closing.get(20, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(DELAY);
        assertThatThrownBy(() -> LoopbackClient.connect(port)).isInstanceOf(ConnectException.class);
        assertThat(server.counters().accepted()).isEqualTo(1);
    }

    @Test
    void endingTheDelayStopsListeningAtOnce() throws Exception {
        TcpServer server = echo(Duration.ofMinutes(5));
        int port = server.port();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);
        await().atMost(Duration.ofSeconds(5)).until(server::draining);
        server.endShutdownDelay();
        closing.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> LoopbackClient.connect(port)).isInstanceOf(ConnectException.class);
    }

    @Test
    void withoutADelayTheStopStopsListeningAtOnce() throws Exception {
        TcpServer server = echo(Duration.ZERO);
        int port = server.port();
        long started = System.nanoTime();
        server.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(DELAY);
        assertThat(server.draining()).isTrue();
        assertThatThrownBy(() -> LoopbackClient.connect(port)).isInstanceOf(ConnectException.class);
    }
}
