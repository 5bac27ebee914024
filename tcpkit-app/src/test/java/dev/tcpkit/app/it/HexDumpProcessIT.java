package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.LoopbackListener;
import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --hex-dump} as a process: {@code connect}'s dump of both directions, a dump file that fails (one line, exit
 * 1, for {@code connect} and {@code serve}), and SIGHUP reopening the file for a log rotation.
 */
@Timeout(90)
final class HexDumpProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(20);
    /** The header's time, as a record's. */
    private static final String TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    @TempDir
    Path dir;

    @Test
    void connectDumpsWhatItSentAndWhatTheServerAnsweredNamingTheServer() throws Exception {
        Path dump = dir.resolve("connect.hex");
        try (ServerSocket server = LoopbackListener.open()) {
            CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> answer(server, "hello\n", "world!\n"));
            String peer = "127.0.0.1:" + server.getLocalPort();
            try (TcpkitProcess client = TcpkitProcess.start(
                    "connect", "127.0.0.1", Integer.toString(server.getLocalPort()), "--hex-dump", dump.toString())) {
                client.writeStdin("hello\n");
                client.closeStdin();
                assertThat(client.awaitExit(EXIT)).isZero();
                assertThat(client.stdout()).isEqualTo("world!\n");
                answered.get(10, TimeUnit.SECONDS);
            }
            List<String> lines = Files.readAllLines(dump, UTF_8);
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).matches(TIME + " " + Pattern.quote(peer) + " <<< 6 bytes");
            assertThat(lines.get(1)).isEqualTo("00000000: 6865 6c6c 6f0a                           hello.");
            assertThat(lines.get(2)).matches(TIME + " " + Pattern.quote(peer) + " >>> 7 bytes");
            assertThat(lines.get(3)).isEqualTo("00000000: 776f 726c 6421 0a                        world!.");
        }
    }

    @Test
    void connectWithADumpOnAFullDeviceSaysSoInOneLineAndExitsOne() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("echo");
                TcpkitProcess client = TcpkitProcess.start(
                        "connect", "127.0.0.1", Integer.toString(server.awaitListening()), "--hex-dump", "/dev/full")) {
            client.writeStdin("lost\n");
            assertThat(client.awaitExit(EXIT)).isOne();
            assertThat(client.stderrLines())
                    .singleElement()
                    .satisfies(line -> assertThat(line)
                            .endsWith("output failed: cannot write to /dev/full: no space left on device"));
        }
    }

    @Test
    void serveWithADumpOnAFullDeviceSaysSoAndStopsWithExitOne() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe("echo", "--hex-dump", "/dev/full");
                LoopbackClient client = LoopbackClient.connect(server.awaitListening())) {
            client.send("lost", US_ASCII);
            assertThat(server.awaitExit(EXIT)).isOne();
            assertThat(server.stderrLines())
                    .anySatisfy(line -> assertThat(line)
                            .endsWith("output failed: cannot write to /dev/full: no space left on device"))
                    .noneMatch(line -> line.startsWith("\tat ") || line.contains("Exception"));
        }
    }

    @Test
    void aDumpFileThatCannotBeOpenedIsOneLineAndExitOneForServeAndConnect() throws Exception {
        String missing = dir.resolve("no-such-dir").resolve("x.hex").toString();
        String line = "cannot open hex dump file " + missing + ": no such file or directory";
        try (TcpkitProcess server = TcpkitProcess.startServe("echo", "--hex-dump", missing)) {
            assertThat(server.awaitExit(EXIT)).isOne();
            assertThat(server.stderrLines()).containsExactly(line);
        }
        try (TcpkitProcess client = TcpkitProcess.start("connect", "127.0.0.1", "9", "--hex-dump", missing)) {
            assertThat(client.awaitExit(EXIT)).isOne();
            assertThat(client.stderrLines()).containsExactly(line);
        }
    }

    @Test
    void sighupReopensTheDumpAtItsPathAndTheOffsetsGoOn() throws Exception {
        Path dump = dir.resolve("echo.hex");
        Path rotated = dir.resolve("echo.hex.1");
        try (TcpkitProcess server = TcpkitProcess.startServe("echo", "--hex-dump", dump.toString())) {
            try (LoopbackClient client = LoopbackClient.connect(server.awaitListening())) {
                client.send("one", US_ASCII);
                assertThat(client.readExactly(3)).asString(US_ASCII).isEqualTo("one");
                Files.move(dump, rotated);
                server.hangUp();
                server.awaitStderrLine(line -> line.endsWith("reloaded: hex dump file"));
                client.send("two", US_ASCII);
                assertThat(client.readExactly(3)).asString(US_ASCII).isEqualTo("two");
            }
            server.terminate();
            assertThat(server.awaitExit(EXIT)).isZero();
        }
        assertThat(Files.readAllLines(rotated, UTF_8))
                .filteredOn(line -> line.startsWith("0"))
                .containsExactly(
                        "00000000: 6f6e 65                                  one",
                        "00000000: 6f6e 65                                  one");
        assertThat(Files.readAllLines(dump, UTF_8))
                .filteredOn(line -> line.startsWith("0"))
                .containsExactly(
                        "00000003: 7477 6f                                  two",
                        "00000003: 7477 6f                                  two");
    }

    /** The server: reads what it expects, answers, and closes. */
    private static void answer(ServerSocket server, String expected, String answer) {
        try (Socket s = server.accept()) {
            assertThat(new String(s.getInputStream().readNBytes(expected.length()), US_ASCII))
                    .isEqualTo(expected);
            s.getOutputStream().write(answer.getBytes(US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
