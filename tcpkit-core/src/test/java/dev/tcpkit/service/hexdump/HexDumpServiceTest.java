package dev.tcpkit.service.hexdump;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.security.KeyFiles;
import dev.tcpkit.security.TlsContexts;
import dev.tcpkit.service.Service;
import dev.tcpkit.testing.ByteCounter;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.LoopbackListener;
import dev.tcpkit.testing.TestPki;
import dev.tcpkit.testing.TlsClient;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --hex-dump} over real loopback sockets: each read and write of a connection is in the file under its header,
 * in {@code xxd}'s layout, each direction's offsets going on across chunks. The client waits for each answer before it
 * sends again, so that every send is one read of the server's.
 */
@Timeout(60)
final class HexDumpServiceTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-05T12:00:00.123Z"), ZoneOffset.UTC);
    private static final String TIME = "2026-12-05T12:00:00.123Z";

    @TempDir
    Path dir;

    @Test
    void echoDumpsWhatTheClientSentAndWhatWentBackWithOffsetsGoingOnAcrossChunks() throws Exception {
        Path dump = dir.resolve("echo.hex");
        String client;
        try (TcpServer server = start(Services.echo(), dump);
                LoopbackClient c = LoopbackClient.connect(server.port())) {
            client = "127.0.0.1:" + c.socket().getLocalPort();
            c.send("hello\n", US_ASCII);
            assertThat(c.readExactly(6)).asString(US_ASCII).isEqualTo("hello\n");
            c.send("0123456789abcdefghijklmnopqrstuvwxyz", US_ASCII);
            assertThat(c.readExactly(36)).hasSize(36);
        }
        assertThat(Files.readAllLines(dump, UTF_8))
                .containsExactly(
                        TIME + " " + client + " >>> 6 bytes",
                        "00000000: 6865 6c6c 6f0a                           hello.",
                        TIME + " " + client + " <<< 6 bytes",
                        "00000000: 6865 6c6c 6f0a                           hello.",
                        TIME + " " + client + " >>> 36 bytes",
                        "00000006: 3031 3233 3435 3637 3839 6162 6364 6566  0123456789abcdef",
                        "00000016: 6768 696a 6b6c 6d6e 6f70 7172 7374 7576  ghijklmnopqrstuv",
                        "00000026: 7778 797a                                wxyz",
                        TIME + " " + client + " <<< 36 bytes",
                        "00000006: 3031 3233 3435 3637 3839 6162 6364 6566  0123456789abcdef",
                        "00000016: 6768 696a 6b6c 6d6e 6f70 7172 7374 7576  ghijklmnopqrstuv",
                        "00000026: 7778 797a                                wxyz");
    }

    @Test
    void logDumpsTheMessagesAndTheRepliesToThem() throws Exception {
        Path dump = dir.resolve("log.hex");
        StringWriter stdout = new StringWriter();
        Service log = Services.log().reply("ok\n").stdout(stdout).build();
        String client;
        try (TcpServer server = start(log, dump);
                LoopbackClient c = LoopbackClient.connect(server.port())) {
            client = "127.0.0.1:" + c.socket().getLocalPort();
            c.send("hi\n", US_ASCII);
            assertThat(c.readExactly(3)).asString(US_ASCII).isEqualTo("ok\n");
            c.send("\u0000\u00ff", UTF_8);
            assertThat(c.readExactly(3)).asString(US_ASCII).isEqualTo("ok\n");
        }
        assertThat(stdout.toString()).contains(client + " >>> hi\\n");
        assertThat(Files.readAllLines(dump, UTF_8))
                .containsExactly(
                        TIME + " " + client + " >>> 3 bytes",
                        "00000000: 6869 0a                                  hi.",
                        TIME + " " + client + " <<< 3 bytes",
                        "00000000: 6f6b 0a                                  ok.",
                        TIME + " " + client + " >>> 3 bytes",
                        "00000003: 00c3 bf                                  ...",
                        TIME + " " + client + " <<< 3 bytes",
                        "00000003: 6f6b 0a                                  ok.");
    }

    @Test
    void forwardDumpsTheClientSideOfTheRelay() throws Exception {
        Path dump = dir.resolve("forward.hex");
        try (ServerSocket upstream = LoopbackListener.open()) {
            Service forward =
                    Services.forward().to("127.0.0.1", upstream.getLocalPort()).build();
            CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> answerTwice(upstream));
            String client;
            try (TcpServer server = start(forward, dump);
                    LoopbackClient c = LoopbackClient.connect(server.port())) {
                client = "127.0.0.1:" + c.socket().getLocalPort();
                c.send("ping", US_ASCII);
                assertThat(c.readExactly(6)).asString(US_ASCII).isEqualTo("pong!\n");
                c.send("PING", US_ASCII);
                assertThat(c.readExactly(6)).asString(US_ASCII).isEqualTo("PONG!\n");
                answered.get(10, TimeUnit.SECONDS);
            }
            assertThat(Files.readAllLines(dump, UTF_8))
                    .containsExactly(
                            TIME + " " + client + " >>> 4 bytes",
                            "00000000: 7069 6e67                                ping",
                            TIME + " " + client + " <<< 6 bytes",
                            "00000000: 706f 6e67 210a                           pong!.",
                            TIME + " " + client + " >>> 4 bytes",
                            "00000004: 5049 4e47                                PING",
                            TIME + " " + client + " <<< 6 bytes",
                            "00000006: 504f 4e47 210a                           PONG!.");
        }
    }

    @Test
    void overTlsTheDumpShowsThePlaintext() throws Exception {
        Path dump = dir.resolve("tls.hex");
        TestPki pki = TestPki.get();
        TestPki.PemPaths pem = pki.writeTo(dir);
        SslContext tls = TlsContexts.server(new KeyFiles(pem.serverChain(), pem.serverKey()), null, TlsProvider.JDK);
        String client;
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .tls(tls)
                        .service(HexDumpService.of(Services.echo(), dump, CLOCK))
                        .start();
                TlsClient c = TlsClient.connect(server.port(), pki.root, null)) {
            client = "127.0.0.1:" + c.socket().getLocalPort();
            c.send("secret".getBytes(US_ASCII));
            assertThat(c.readExactly(6)).asString(US_ASCII).isEqualTo("secret");
        }
        assertThat(Files.readAllLines(dump, UTF_8))
                .containsExactly(
                        TIME + " " + client + " >>> 6 bytes",
                        "00000000: 7365 6372 6574                           secret",
                        TIME + " " + client + " <<< 6 bytes",
                        "00000000: 7365 6372 6574                           secret");
    }

    @Test
    void aReloadReopensTheDumpAtItsPathForALogRotation() throws Exception {
        Path dump = dir.resolve("echo.hex");
        Path rotated = dir.resolve("echo.hex.1");
        try (TcpServer server = start(Services.echo(), dump);
                LoopbackClient c = LoopbackClient.connect(server.port())) {
            c.send("one", US_ASCII);
            c.readExactly(3);
            Files.move(dump, rotated); // what logrotate does before it signals
            assertThat(server.reload()).containsExactly("hex dump file");
            c.send("two", US_ASCII);
            c.readExactly(3);
        }
        assertThat(Files.readString(rotated, UTF_8))
                .contains("00000000: 6f6e 65")
                .doesNotContain("74 776f");
        assertThat(Files.readAllLines(dump, UTF_8))
                .filteredOn(line -> !line.startsWith(TIME))
                .containsExactly(
                        "00000003: 7477 6f                                  two",
                        "00000003: 7477 6f                                  two");
    }

    @Test
    void aDumpOnAFullDeviceStopsTheServerAndCountsWhatWasLost() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.exists(full), "this system has /dev/full");
        try (TcpServer server = start(Services.echo(), full);
                LoopbackClient c = LoopbackClient.connect(server.port())) {
            c.send("lost", US_ASCII);
            c.readExactly(4);
            server.terminationFuture().get(10, TimeUnit.SECONDS);
            assertThat(server.service().lostRecords()).isPositive();
        }
    }

    /**
     * A dump file that takes nothing (a pipe nobody reads) pauses the connection, not the server's memory: of 4 MiB
     * the client offers, only what fits the pipe, the writer's buffer and the connection's bound gets echoed; once
     * the pipe is read, the rest flows, every byte back in order.
     */
    @Test
    void aStalledDumpPausesTheConnectionUntilItIsReadAgain() throws Exception {
        Path fifo = dir.resolve("dump.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assumeTrue(mkfifo.exitValue() == 0, "mkfifo works here");
        // Opening a pipe for writing waits for its reader: open both ends at once.
        CompletableFuture<InputStream> reader = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.newInputStream(fifo);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        byte[] data = new byte[4 * 1024 * 1024];
        new java.util.Random(7).nextBytes(data);
        ByteCounter echoed = new ByteCounter();
        CompletableFuture<Void> drained;
        try (TcpServer server = start(Services.echo(), fifo);
                LoopbackClient c = LoopbackClient.connect(server.port())) {
            InputStream pipe = reader.get(10, TimeUnit.SECONDS);
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    c.send(data);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            CompletableFuture<byte[]> back = CompletableFuture.supplyAsync(() -> {
                try {
                    InputStream in = c.socket().getInputStream();
                    byte[] got = new byte[data.length];
                    for (int n = 0; n < got.length; ) {
                        int r = in.read(got, n, got.length - n);
                        if (r < 0) {
                            break;
                        }
                        n += r;
                        echoed.add(r);
                    }
                    return got;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            assertThat(echoed.awaitStall()).isLessThan(1024 * 1024);

            drained = CompletableFuture.runAsync(() -> {
                try (pipe) {
                    pipe.transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            sent.get(30, TimeUnit.SECONDS);
            assertThat(back.get(30, TimeUnit.SECONDS)).isEqualTo(data);
        }
        drained.get(30, TimeUnit.SECONDS); // the server's close closed the pipe: its reader saw the end
    }

    /** The upstream: reads 4 bytes and answers 6, twice. */
    private static void answerTwice(ServerSocket upstream) {
        try (Socket s = upstream.accept()) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (String answer : List.of("pong!\n", "PONG!\n")) {
                assertThat(in.readNBytes(4)).hasSize(4);
                out.write(answer.getBytes(US_ASCII));
                out.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TcpServer start(Service service, Path dump) throws Exception {
        return TcpServer.builder()
                .bind("127.0.0.1", 0)
                .service(HexDumpService.of(service, dump, CLOCK))
                .start();
    }
}
