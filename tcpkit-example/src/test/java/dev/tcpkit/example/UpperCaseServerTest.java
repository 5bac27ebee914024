package dev.tcpkit.example;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The example as its user runs it, a process of its own: it answers in upper case, and everything it logs, tcpkit's
 * lines included, follows the example's logback.xml (tcpkit-core brings no logging configuration of its own).
 */
@Timeout(60)
final class UpperCaseServerTest {
    /** The example's own pattern: {@code EXAMPLE|level|logger|message}. */
    private static final Pattern EXAMPLE_LINE = Pattern.compile("EXAMPLE\\|(INFO|WARN|ERROR)\\|\\w+\\|.*");

    private static final Pattern STARTED =
            Pattern.compile("EXAMPLE\\|INFO\\|UpperCaseServer\\|upper-case server on port (\\d+)");

    @Test
    void answersInUpperCaseAndLogsWithTheEmbeddersOwnPattern() throws Exception {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        UpperCaseServer.class.getName(),
                        "0")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        List<String> lines = new ArrayList<>();
        BlockingQueue<String> stderr = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> readLines(process, stderr), "example-stderr");
        reader.start();
        try {
            Matcher started = STARTED.matcher(next(stderr, lines));
            assertThat(started.matches()).as("first line: %s", lines).isTrue();
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(started.group(1)))) {
                socket.getOutputStream().write("hello, tcpkit 42".getBytes(US_ASCII));
                assertThat(new String(socket.getInputStream().readNBytes(16), US_ASCII))
                        .isEqualTo("HELLO, TCPKIT 42");

                // Stopped (SIGTERM) with a client still connected, tcpkit's own transport logs that it drains it.
                // Through the handle: Process.destroy() would also close our end of the child's stderr.
                process.toHandle().destroy();
                String line;
                do {
                    line = next(stderr, lines);
                } while (!line.contains("draining 1 open connection"));
            }
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(TimeUnit.SECONDS.toMillis(10));
            stderr.drainTo(lines);
        } finally {
            process.destroyForcibly();
        }
        assertThat(lines)
                .isNotEmpty()
                .allMatch(line -> EXAMPLE_LINE.matcher(line).matches());
        assertThat(lines).anyMatch(line -> line.startsWith("EXAMPLE|INFO|BoundServer|draining 1 open connection"));
    }

    private static String next(BlockingQueue<String> stderr, List<String> lines) throws InterruptedException {
        String line = stderr.poll(30, TimeUnit.SECONDS);
        assertThat(line)
                .as("a line from the example within 30 s after %s", lines)
                .isNotNull();
        lines.add(line);
        return line;
    }

    private static void readLines(Process process, BlockingQueue<String> into) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getErrorStream(), UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                into.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
