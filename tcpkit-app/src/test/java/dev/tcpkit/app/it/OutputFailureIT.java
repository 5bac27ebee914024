package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcpkit.testing.ChatClient;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.SmallTmpfs;
import dev.tcpkit.testing.TcpkitProcess;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records and acknowledgements when an output fails or stalls ({@code tcpkit serve} as a process): a client's message
 * is acknowledged only once it is in every output; a failed output (a closed pipe, a full disk) is said once, stops
 * the server with exit 1 and a count of the records lost, and leaves no half-written line in the file; an output that
 * only stalls (a pipe nobody reads) is backpressure until SIGTERM, which then ends within the drain timeout.
 */
@Timeout(120)
final class OutputFailureIT {
    /** Bound for a server to stop by itself once its output failed. */
    private static final Duration STOPS = Duration.ofSeconds(20);
    /** What a stop may take beyond the drain timeout: the JVM's own start-up and exit, on a loaded machine. */
    private static final Duration MARGIN = Duration.ofSeconds(10);

    private static final int MESSAGES = 2000;
    private static final Pattern LOST = Pattern.compile("(\\d+) record\\(s\\) lost: .+");

    @Test
    void aClosedStdoutPipeIsSaidOnceAndStopsTheServerWithExitOneAcknowledgingNothing() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startWithUnreadStdout(serveLog())) {
            int port = server.awaitListening();
            server.closeStdoutPipe(); // as `tcpkit serve log | head -c 0`

            assertStopsAcknowledgingNothing(
                    server, port, "stdout", "output failed: cannot write to stdout: broken pipe");
            assertThat(server.stderrLines()).anyMatch(line -> line.endsWith(": output failed"));
        }
    }

    @Test
    void stdoutOnAFullDeviceIsSaidOnceAndStopsTheServerWithExitOneAcknowledgingNothing() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startWithStdoutTo(Path.of("/dev/full"), serveLog())) {
            assertStopsAcknowledgingNothing(
                    server,
                    server.awaitListening(),
                    "stdout",
                    "output failed: cannot write to stdout: no space left on device");
        }
    }

    @Test
    void anOutputFileOnAFullDeviceIsSaidOnceAndStopsTheServerWithExitOneAcknowledgingNothing() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.start(serveLog("--output", "/dev/full"))) {
            assertStopsAcknowledgingNothing(
                    server,
                    server.awaitListening(),
                    "the file",
                    "output failed: cannot write to /dev/full: no space left on device");
        }
    }

    /**
     * A 64 KiB file system fills after a few hundred records: the file keeps only whole JSON lines, every message
     * acknowledged is in it (and on stdout), and the count of lost records adds up.
     */
    @Test
    void anOutputFileOnAFullFileSystemKeepsOnlyWholeLinesAndEveryAcknowledgedRecord(@TempDir Path dir)
            throws Exception {
        try (SmallTmpfs disk = SmallTmpfs.mount(dir, "64k")) {
            Path file = disk.dir().resolve("records.jsonl");
            int acknowledged;
            try (TcpkitProcess server = TcpkitProcess.start(serveLog("--output", file.toString()))) {
                int port = server.awaitListening();

                acknowledged = acknowledgedOf(port, MESSAGES);
                assertThat(server.awaitExit(STOPS))
                        .as("stops by itself, exit 1")
                        .isOne();
                assertFailureSaidOnce(server, "output failed: cannot write to " + file + ": no space left on device");
                assertThat(Records.parse(server.stdoutLines())).hasSizeGreaterThanOrEqualTo(acknowledged);
                assertThat(acknowledged + lost(server))
                        .as("acknowledged + lost <= sent")
                        .isLessThanOrEqualTo(MESSAGES);
            }
            String content = Files.readString(file, UTF_8);
            assertThat(content)
                    .as("ends with a whole line")
                    .satisfiesAnyOf(
                            c -> assertThat(c).isEmpty(), c -> assertThat(c).endsWith("\n"));
            List<String> lines = content.lines().toList();
            ObjectMapper json = new ObjectMapper();
            for (String line : lines) {
                JsonNode record = json.readTree(line);
                assertThat(record.get("text").asText()).as(line).startsWith("message ");
            }
            assertThat(lines).hasSizeGreaterThanOrEqualTo(acknowledged).hasSizeLessThan(MESSAGES);
        }
    }

    /**
     * A pipe nobody reads is backpressure, not a failure: reads pause and nothing is said. SIGTERM then ends the
     * process within the drain timeout (plus the JVM's own margin), with exit 1 and the count of records that stdout
     * never took.
     */
    @Test
    void sigtermWithAStdoutNobodyReadsExitsOneWithinTheDrainTimeoutSayingHowManyRecordsWereLost() throws Exception {
        Duration drain = Duration.ofSeconds(2);
        try (TcpkitProcess server =
                        TcpkitProcess.startWithUnreadStdout(serveLog("--drain-timeout", drain.toMillis() + "ms"));
                LoopbackClient client = LoopbackClient.connect(server.awaitListening())) {
            // More than the pipe (64 KiB), the writer's buffer (64 KiB) and the records one connection may have
            // waiting (64 KiB) hold together: the writer ends up blocked in write(2).
            // It blocks once the server stops reading, and ends with the connection.
            var unused = sendInBackground(client, MESSAGES);
            client.readExactly(2); // the first acknowledgement: records flow until the pipe is full
            assertThat(server.isAlive()).isTrue();

            server.terminate();
            assertThat(server.awaitExit(drain.plus(MARGIN))).isOne();
            assertThat(lost(server)).isPositive();
            assertThat(server.stderrLines()).noneMatch(line -> line.contains("cannot write"));
            assertNoStackTrace(server.stderrLines());
        }
    }

    @Test
    void chatWithAnOutputFileOnAFullDeviceStopsWithExitOneSayingHowManyLinesWereLost() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("chat", "--output", "/dev/full");
                ChatClient alice = ChatClient.connect(server.awaitListening(), UTF_8)) {
            alice.say("hello, is anyone here?");

            assertThat(server.awaitExit(STOPS)).as("stops by itself, exit 1").isOne();
            assertFailureSaidOnce(server, "output failed: cannot write to /dev/full: no space left on device");
            assertThat(lost(server)).isOne();
        }
    }

    private static String[] serveLog(String... more) {
        List<String> options = new java.util.ArrayList<>(List.of("--reply", "ok", "--framing", "line"));
        options.addAll(List.of(more));
        return TcpkitProcess.serveArgs("log", options.toArray(String[]::new));
    }

    /**
     * What a failed output does to {@code MESSAGES} lines sent to {@code port}: none is acknowledged ({@code output}
     * has none of them), the server stops by itself with exit 1, says {@code failure} once and counts what it lost.
     */
    private static void assertStopsAcknowledgingNothing(TcpkitProcess server, int port, String output, String failure)
            throws Exception {
        assertThat(acknowledgedOf(port, MESSAGES))
                .as("acknowledged, though %s has none", output)
                .isZero();
        assertThat(server.awaitExit(STOPS)).as("stops by itself, exit 1").isOne();
        assertFailureSaidOnce(server, failure);
        assertThat(lost(server)).isPositive();
    }

    /**
     * Sends {@code count} lines of about 200 bytes in one go and counts the {@code ok}s that come back until the
     * server closes the connection (or 10 s pass without one).
     */
    private static int acknowledgedOf(int port, int count) throws Exception {
        try (LoopbackClient client = LoopbackClient.connect(port)) {
            CompletableFuture<Void> sending = sendInBackground(client, count);
            client.readTimeout(Duration.ofSeconds(10));
            String answers =
                    new String(readUntilClosedResetOrSilent(client.socket().getInputStream()), UTF_8);
            sending.handle((ok, failed) -> null).join(); // cut while sending is what a failed output does
            return answers.length() / 2;
        }
    }

    /** Sends on another thread: a server that stops reading must not block the test. */
    private static CompletableFuture<Void> sendInBackground(LoopbackClient client, int count) {
        return CompletableFuture.runAsync(() -> {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < count; i++) {
                lines.append(String.format("message %05d %s%n", i, "x".repeat(186)));
            }
            try {
                client.send(lines.toString(), UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static byte[] readUntilClosedResetOrSilent(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException silent) {
            // The server neither answers nor closes: the test's assertions say what was expected.
        } catch (SocketException reset) {
            // A cut with unread input in the server's socket is a reset.
        }
        return out.toByteArray();
    }

    /** The failure is said in exactly one line on stderr, and without a stack trace. */
    private static void assertFailureSaidOnce(TcpkitProcess server, String failure) {
        List<String> stderr = server.stderrLines();
        assertThat(stderr).filteredOn(line -> line.endsWith(failure)).hasSize(1);
        assertThat(stderr).filteredOn(line -> line.contains("cannot write")).hasSize(1);
        assertNoStackTrace(stderr);
    }

    /** The count on the one "N record(s) lost: why" line. */
    private static int lost(TcpkitProcess server) {
        List<Integer> counts = server.stderrLines().stream()
                .map(LOST::matcher)
                .filter(Matcher::find)
                .map(m -> Integer.parseInt(m.group(1)))
                .toList();
        assertThat(counts)
                .as("one line saying how many records were lost: %s", server.stderrLines())
                .hasSize(1);
        return counts.get(0);
    }

    private static void assertNoStackTrace(List<String> stderr) {
        assertThat(stderr).noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception"));
    }
}
