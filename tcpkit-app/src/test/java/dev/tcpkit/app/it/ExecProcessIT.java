package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tcpkit serve exec} as a process: the start-up line states the cap, the programs' stderr comes out prefixed,
 * a client over the cap is refused like any limit, a command that cannot be run is refused at start, and 200 MiB pass
 * each way through programs and clients that stall with tcpkit's memory flat.
 */
@Timeout(120)
final class ExecProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(20);
    private static final int MIB = 1024 * 1024;
    private static final long TOTAL = 200L * MIB;

    @Test
    void theStartUpLineStatesTheCapAndStderrLinesArePrefixedWithTheClient() throws Exception {
        try (TcpkitProcess server =
                TcpkitProcess.startServe("exec", "--", "sh", "-c", "printf 'one\\ntwo\\n' >&2; echo out")) {
            int port = server.awaitListening();
            server.awaitStderrLine(line -> line.endsWith("(epoll, at most 256 programs at once)")
                    || line.endsWith("(io_uring, at most 256 programs at once)")
                    || line.endsWith("(nio, at most 256 programs at once)"));
            try (LoopbackClient client = LoopbackClient.connect(port)) {
                String prefix = "127.0.0.1:" + client.socket().getLocalPort() + ": ";
                assertThat(new String(client.readToEnd(), UTF_8)).isEqualTo("out\n");
                server.awaitStderrLine(line -> line.equals(prefix + "one"));
                server.awaitStderrLine(line -> line.equals(prefix + "two"));
            }
            server.terminate();
            assertThat(server.awaitExit(EXIT)).isZero();
        }
    }

    @Test
    void aClientOverAnExplicitMaxConnectionsIsRefused() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("exec", "--max-connections", "2", "--", "cat")) {
            int port = server.awaitListening();
            server.awaitStderrLine(line -> line.endsWith(", at most 2 programs at once)"));
            try (LoopbackClient one = LoopbackClient.connect(port);
                    LoopbackClient two = LoopbackClient.connect(port)) {
                one.send("1", UTF_8);
                two.send("2", UTF_8);
                assertThat(one.readExactly(1)).isEqualTo("1".getBytes(UTF_8));
                assertThat(two.readExactly(1)).isEqualTo("2".getBytes(UTF_8));
                try (LoopbackClient three = LoopbackClient.connect(port)) {
                    assertThat(three.readUntilClosedOrReset()).isEmpty();
                    server.awaitStderrLine(line -> line.endsWith(" INFO  refused 127.0.0.1:"
                            + three.socket().getLocalPort() + ": --max-connections 2 reached"));
                }
            }
            server.terminate();
            assertThat(server.awaitExit(EXIT)).isZero();
        }
    }

    @Test
    void aCommandThatCannotBeRunIsRefusedAtStartWithOneLine() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("exec", "--", "/nonexistent/program")) {
            assertThat(server.awaitExit(EXIT)).isEqualTo(2);
            assertThat(server.stderrLines().get(0)).isEqualTo("cannot run /nonexistent/program: not a file");
            assertThat(String.join("\n", server.stderrLines())).doesNotContain("Exception", "listening");
        }
    }

    /**
     * One program writes 200 MiB to a client that reads nothing for 2 s, then everything; another sleeps 2 s while
     * its client pushes 200 MiB, then reads it all. tcpkit's resident memory is sampled all along.
     */
    @Test
    @SuppressWarnings("FutureReturnValueIgnored") // the sampler is stopped and awaited below
    void twoHundredMebibytesPassEachWayThroughStallsWithMemoryFlat() throws Exception {
        String script = "read mode; if [ \"$mode\" = out ]; then exec head -c " + TOTAL
                + " /dev/zero; else sleep 2; exec cat >/dev/null; fi";
        try (TcpkitProcess server = TcpkitProcess.startServe("exec", "--", "sh", "-c", script)) {
            int port = server.awaitListening();
            Path status = Path.of("/proc/" + server.pid() + "/status");
            ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
            AtomicLong peak = new AtomicLong();
            try {
                long baseline = rssKib(status);
                sampler.scheduleAtFixedRate(
                        () -> peak.accumulateAndGet(rssKib(status), Math::max), 0, 50, TimeUnit.MILLISECONDS);

                try (LoopbackClient client = LoopbackClient.connect(port)) {
                    client.readTimeout(Duration.ofSeconds(30));
                    client.send("out\n", UTF_8);
                    Thread.sleep(2000); // the client does not read: the program must be held, not tcpkit's memory
                    assertThat(count(client.socket().getInputStream())).isEqualTo(TOTAL);
                }
                try (LoopbackClient client = LoopbackClient.connect(port)) {
                    client.readTimeout(Duration.ofSeconds(30));
                    client.send("in\n", UTF_8);
                    OutputStream out = client.socket().getOutputStream();
                    byte[] chunk = new byte[MIB];
                    for (int i = 0; i < TOTAL / MIB; i++) {
                        out.write(chunk);
                    }
                    client.shutdownOutput();
                    assertThat(client.readToEnd()).isEmpty();
                }
                sampler.shutdown();
                assertThat(sampler.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
                long growthKib = peak.get() - baseline;
                System.out.printf("exec 200 MiB each way: RSS %d KiB at start, peak %d KiB%n", baseline, peak.get());
                assertThat(growthKib).isLessThan(100 * 1024);
            } finally {
                sampler.shutdownNow();
            }
            server.terminate();
            assertThat(server.awaitExit(EXIT)).isZero();
        }
    }

    private static long count(InputStream in) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            total += n;
        }
        return total;
    }

    private static long rssKib(Path status) {
        try {
            return Files.readAllLines(status).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("\\D", "")))
                    .findFirst()
                    .orElseThrow();
        } catch (IOException e) {
            return 0;
        }
    }
}
