package dev.tcpkit.service.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.ProxyHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The exec service over real loopback sockets and real programs. */
@Timeout(60)
final class ExecLoopbackTest {
    private static TcpServer exec(Duration killTimeout, String... command) throws Exception {
        return TcpServer.builder()
                .bind("127.0.0.1", 0)
                .drainTimeout(Duration.ofSeconds(1))
                .service(
                        Services.exec(List.of(command)).killTimeout(killTimeout).build())
                .start();
    }

    private static TcpServer sh(String script) throws Exception {
        return exec(Duration.ofSeconds(5), "sh", "-c", script);
    }

    /** Reads one {@code \n}-ended line, byte by byte, so that nothing after it is taken. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    private static void awaitGone(long... pids) {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> Arrays.stream(pids)
                        .mapToObj(ProcessHandle::of)
                        .noneMatch(h -> h.map(ProcessHandle::isAlive).orElse(false)));
    }

    @Test
    void theProgramGetsUcspiVariablesAndAMebibytePassesThroughCatExactly() throws Exception {
        byte[] data = new byte[1024 * 1024];
        new SplittableRandom(7).nextBytes(data);
        try (TcpServer server = sh("echo \"$PROTO $TCPREMOTEIP $TCPREMOTEPORT $TCPLOCALIP $TCPLOCALPORT\"; exec cat");
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            int clientPort = client.socket().getLocalPort();
            assertThat(line(client.socket().getInputStream()))
                    .isEqualTo("TCP 127.0.0.1 " + clientPort + " 127.0.0.1 " + server.port());
            CompletableFuture<byte[]> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.readToEnd();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            client.send(data);
            client.shutdownOutput();
            assertThat(answer.get(10, TimeUnit.SECONDS)).isEqualTo(data);
        }
    }

    @Test
    void behindAProxyTheProgramSeesTheClientTheHeaderNames() throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .drainTimeout(Duration.ofSeconds(1))
                        .proxyProtocol(true)
                        .service(Services.exec(List.of("sh", "-c", "echo \"$TCPREMOTEIP $TCPREMOTEPORT\""))
                                .build())
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send(ProxyHeaders.v1("203.0.113.7", 56324));
            assertThat(new String(client.readToEnd(), StandardCharsets.UTF_8)).isEqualTo("203.0.113.7 56324\n");
        }
    }

    @Test
    void eachConnectionRunsItsOwnProcess() throws Exception {
        try (TcpServer server = sh("echo $$; exec cat");
                LoopbackClient first = LoopbackClient.connect(server.port());
                LoopbackClient second = LoopbackClient.connect(server.port())) {
            String one = line(first.socket().getInputStream());
            String two = line(second.socket().getInputStream());
            assertThat(one).isNotEqualTo(two);
            assertThat(ProcessHandle.of(Long.parseLong(one))).isPresent();
            assertThat(ProcessHandle.of(Long.parseLong(two))).isPresent();
        }
    }

    @Test
    void theClientsHalfCloseClosesTheProgramsStdin() throws Exception {
        try (TcpServer server = exec(Duration.ofSeconds(5), "wc", "-c");
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send(new byte[12345]);
            client.shutdownOutput();
            assertThat(new String(client.readToEnd(), StandardCharsets.US_ASCII).trim())
                    .isEqualTo("12345");
        }
    }

    @Test
    void whenTheProgramExitsItsOutputIsDeliveredThenTheConnectionCloses() throws Exception {
        try (TcpServer server = sh("head -c 300000 /dev/zero; exit 3");
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            assertThat(client.readToEnd()).hasSize(300_000);
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> server.connections().closed(CloseReason.PROGRAM_EXITED) == 1);
        }
        assertThat(Program.exitDetail(3)).isEqualTo("exit status 3");
        assertThat(Program.exitDetail(128 + 9)).isEqualTo("killed by signal 9");
    }

    @Test
    void whenTheClientResetsTheProgramAndItsChildrenAreTerminated() throws Exception {
        try (TcpServer server = sh("sleep 60 & echo $$ $!; wait")) {
            long[] pids;
            try (LoopbackClient client = LoopbackClient.connect(server.port())) {
                pids = Arrays.stream(line(client.socket().getInputStream()).split(" "))
                        .mapToLong(Long::parseLong)
                        .toArray();
                assertThat(pids).hasSize(2);
                client.socket().setSoLinger(true, 0); // a reset: a FIN alone is a half-close, which closes stdin
            }
            awaitGone(pids);
        }
    }

    @Test
    void aProgramThatIgnoresSigtermIsKilledAfterTheKillTimeout() throws Exception {
        try (TcpServer server =
                exec(Duration.ofMillis(1500), "sh", "-c", "trap '' TERM; echo $$; while :; do sleep 0.1; done")) {
            long pid;
            try (LoopbackClient client = LoopbackClient.connect(server.port())) {
                pid = Long.parseLong(line(client.socket().getInputStream()));
                client.socket().setSoLinger(true, 0);
            }
            long closed = System.nanoTime();
            awaitGone(pid);
            assertThat(Duration.ofNanos(System.nanoTime() - closed)).isGreaterThan(Duration.ofSeconds(1));
        }
    }

    @Test
    void aCommandThatCannotBeRunIsRefusedAtBuild(@TempDir Path dir) throws IOException {
        Path script = Files.writeString(dir.resolve("script"), "echo hi\n");
        assertThatThrownBy(
                        () -> Services.exec(List.of("no-such-program-tcpkit")).build())
                .hasMessage("cannot run no-such-program-tcpkit: not found on PATH");
        assertThatThrownBy(() -> Services.exec(List.of("/etc")).build()).hasMessage("cannot run /etc: not a file");
        assertThatThrownBy(() -> Services.exec(List.of(script.toString())).build())
                .hasMessage("cannot run " + script + ": not executable");
        assertThatThrownBy(() -> Services.exec(List.of()).build()).hasMessage("no command: name the program to run");
    }
}
