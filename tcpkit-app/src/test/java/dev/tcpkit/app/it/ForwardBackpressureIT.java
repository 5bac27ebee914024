package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.LoopbackListener;
import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve forward} as a process between a writer and a reader that never reads, each way: 200 MiB pushed at it
 * stall the writer (blocked, not failed) while tcpkit's resident memory stays within 64 MiB of what it was before.
 */
@Timeout(60)
final class ForwardBackpressureIT {
    private static final Logger log = LoggerFactory.getLogger(ForwardBackpressureIT.class);
    private static final long PUSH = 200L * 1024 * 1024;
    private static final long RSS_GROWTH_LIMIT = 64L * 1024 * 1024;

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

    @Test
    void anUpstreamThatNeverReadsStallsTheClientWithinBoundedMemory() throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpkitProcess forward = forwardTo(upstream.getLocalPort())) {
            int port = forward.awaitListening();
            try (LoopbackClient client = LoopbackClient.connect(port);
                    Socket atUpstream = upstream.accept()) {
                assertStalledWithinBoundedMemory(forward, client.socket().getOutputStream());
                assertThat(atUpstream.isClosed()).isFalse();
            }
        }
    }

    @Test
    void aClientThatNeverReadsStallsTheUpstreamWithinBoundedMemory() throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpkitProcess forward = forwardTo(upstream.getLocalPort())) {
            int port = forward.awaitListening();
            try (LoopbackClient client = LoopbackClient.connect(port);
                    Socket atUpstream = upstream.accept()) {
                assertStalledWithinBoundedMemory(forward, atUpstream.getOutputStream());
                client.send("still here", UTF_8); // the stalled direction does not stop the other
                assertThat(new String(atUpstream.getInputStream().readNBytes(10), UTF_8))
                        .isEqualTo("still here");
            }
        }
    }

    private static TcpkitProcess forwardTo(int upstreamPort) {
        return TcpkitProcess.start(
                "serve", "forward", "--to", "127.0.0.1:" + upstreamPort, "--host", "127.0.0.1", "--port", "0");
    }

    /**
     * Pushes up to {@link #PUSH} bytes into {@code out}, whose far end never reads, until the writer makes no progress
     * for a second; then the writer must be blocked (not failed, not done) and tcpkit's RSS within the limit.
     */
    private void assertStalledWithinBoundedMemory(TcpkitProcess forward, OutputStream out) throws Exception {
        long rssBefore = rss(forward.pid());
        AtomicLong written = new AtomicLong();
        Future<?> writer = pool.submit(() -> {
            byte[] chunk = new byte[64 * 1024];
            while (written.get() < PUSH) {
                out.write(chunk);
                written.addAndGet(chunk.length);
            }
            return null;
        });
        long maxRss = rssBefore;
        long last = -1;
        long stillSince = System.nanoTime();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - stillSince < TimeUnit.SECONDS.toNanos(1)) {
            assertThat(System.nanoTime()).as("the writer never stalled").isLessThan(deadline);
            assertThat(writer.isDone())
                    .as("the writer finished or failed: %s", written)
                    .isFalse();
            long now = written.get();
            if (now != last) {
                last = now;
                stillSince = System.nanoTime();
            }
            maxRss = Math.max(maxRss, rss(forward.pid()));
            Thread.sleep(100);
        }
        log.info(
                "stalled after {} KiB written; tcpkit's RSS {} KiB before, at most {} KiB",
                written.get() / 1024,
                rssBefore / 1024,
                maxRss / 1024);
        assertThat(written.get()).as("bytes the writer got rid of").isLessThan(PUSH);
        assertThat(writer.isDone()).as("the writer is blocked, not failed").isFalse();
        assertThat(maxRss - rssBefore)
                .as("tcpkit's RSS growth (before %d KiB, at most %d KiB)", rssBefore / 1024, maxRss / 1024)
                .isLessThan(RSS_GROWTH_LIMIT);
        assertThat(forward.isAlive()).isTrue();
    }

    /** {@code VmRSS} of {@code pid}, in bytes. */
    private static long rss(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"), UTF_8)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
    }
}
