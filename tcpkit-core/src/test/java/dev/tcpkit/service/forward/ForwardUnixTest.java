package dev.tcpkit.service.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.options.Transport;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.LoopbackClient;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The forward service to Unix domain socket upstreams: a JDK {@code UNIX} listener (or socat) upstream, tcpkit in the
 * middle on each transport that loads here, a TCP client on 127.0.0.1.
 */
@Timeout(60)
final class ForwardUnixTest {
    private static final int MIB = 1024 * 1024;
    private static final Pattern PATH_SEPARATOR = Pattern.compile(":");

    @TempDir
    Path dir;

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

    private static void assumeLoads(Transport transport) {
        assumeTrue(
                switch (transport) {
                    case EPOLL -> Epoll.isAvailable();
                    case IO_URING -> IoUring.isAvailable();
                    default -> true;
                },
                transport + " does not load here");
    }

    private static ServerSocketChannel unixListener(Path path) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        return server;
    }

    private static TcpServer forward(Transport transport, Path socket) throws Exception {
        return TcpServer.builder()
                .bind("127.0.0.1", 0)
                .transport(transport)
                .service(Services.forward()
                        .connectTimeout(Duration.ofSeconds(2))
                        .toUnix(socket)
                        .build())
                .start();
    }

    private static byte[] random(long seed) {
        byte[] data = new byte[MIB];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    /** Accepts one connection within 10 s. */
    private Future<SocketChannel> accept(ServerSocketChannel server) {
        return pool.submit(server::accept);
    }

    @ParameterizedTest
    @EnumSource(
            value = Transport.class,
            names = {"EPOLL", "IO_URING", "NIO"})
    void aMebibyteEachWayPassesExactlyAndEachHalfCloseFollowsIt(Transport transport) throws Exception {
        assumeLoads(transport);
        byte[] up = random(1);
        byte[] down = random(2);
        Path socket = dir.resolve("up.sock");
        try (ServerSocketChannel upstream = unixListener(socket);
                TcpServer server = forward(transport, socket);
                LoopbackClient client = LoopbackClient.connect(server.port()).readTimeout(Duration.ofSeconds(20))) {
            Future<SocketChannel> accepted = accept(upstream);
            Future<?> sent = pool.submit(() -> {
                client.send(up);
                client.shutdownOutput();
                return null;
            });
            try (SocketChannel s = accepted.get(10, TimeUnit.SECONDS)) {
                // Until the client's half-close arrives through the relay, as the end of the unix socket's input.
                byte[] atUpstream = Channels.newInputStream(s).readAllBytes();
                sent.get(20, TimeUnit.SECONDS);
                Future<?> answered = pool.submit(() -> {
                    Channels.newOutputStream(s).write(down);
                    s.shutdownOutput(); // the upstream's half-close: the client reads to its end
                    return null;
                });
                byte[] atClient = client.readToEnd();
                answered.get(20, TimeUnit.SECONDS);
                assertThat(Arrays.equals(atUpstream, up))
                        .as("upstream got the client's 1 MiB, then its end")
                        .isTrue();
                assertThat(Arrays.equals(atClient, down))
                        .as("client got the upstream's 1 MiB, then its end")
                        .isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Transport.class,
            names = {"EPOLL", "IO_URING", "NIO"})
    void aClientHalfCloseReachesTheUpstreamWhichAnswersAfterIt(Transport transport) throws Exception {
        assumeLoads(transport);
        Path socket = dir.resolve("up.sock");
        try (ServerSocketChannel upstream = unixListener(socket);
                TcpServer server = forward(transport, socket);
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<SocketChannel> accepted = accept(upstream);
            client.send("question", StandardCharsets.UTF_8);
            client.shutdownOutput();
            try (SocketChannel s = accepted.get(10, TimeUnit.SECONDS)) {
                byte[] request = Channels.newInputStream(s).readAllBytes();
                s.write(ByteBuffer.wrap(
                        ("answer to " + new String(request, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)));
                s.shutdownOutput();
                assertThat(new String(client.readToEnd(), StandardCharsets.UTF_8))
                        .isEqualTo("answer to question");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Transport.class,
            names = {"EPOLL"}) // NIO and io_uring: Netty 4.2.18's domain channels close at their input's end
    void anUpstreamHalfCloseReachesTheClientWhichMaySendStill(Transport transport) throws Exception {
        assumeLoads(transport);
        Path socket = dir.resolve("up.sock");
        try (ServerSocketChannel upstream = unixListener(socket);
                TcpServer server = forward(transport, socket);
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<SocketChannel> accepted = accept(upstream);
            try (SocketChannel s = accepted.get(10, TimeUnit.SECONDS)) {
                s.write(ByteBuffer.wrap("banner".getBytes(StandardCharsets.UTF_8)));
                s.shutdownOutput();
                assertThat(new String(client.readToEnd(), StandardCharsets.UTF_8))
                        .isEqualTo("banner");
                client.send("after the banner", StandardCharsets.UTF_8);
                client.shutdownOutput();
                assertThat(new String(Channels.newInputStream(s).readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("after the banner");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = Transport.class,
            names = {"EPOLL", "IO_URING", "NIO"})
    void aMissingSocketFileAndOneNobodyListensOnAreNamedInTheOneLine(Transport transport) throws Exception {
        assumeLoads(transport);
        Path missing = dir.resolve("missing.sock");
        Path stale = dir.resolve("stale.sock");
        unixListener(stale).close(); // the file stays, with no listener behind it
        try (LogCapture log = LogCapture.of("dev.tcpkit.service.forward");
                TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .transport(transport)
                        .service(
                                Services.forward().toUnix(missing).toUnix(stale).build())
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            assertThat(client.readUntilClosedOrReset()).isEmpty();
            List<String> lines = awaitLines(log);
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0))
                    .contains("unix:" + missing + " (no such file or directory)")
                    .contains("unix:" + stale + " (connection refused)");
        }
    }

    @Test
    void unixAndTcpUpstreamsAreTakenInTurn() throws Exception {
        Path socket = dir.resolve("up.sock");
        try (ServerSocketChannel unix = unixListener(socket);
                ServerSocket tcp = new ServerSocket()) {
            tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            tcp.setSoTimeout(10_000);
            Future<?> unixSide = pool.submit(() -> {
                try (SocketChannel s = unix.accept()) {
                    s.write(ByteBuffer.wrap("unix".getBytes(StandardCharsets.UTF_8)));
                }
                return null;
            });
            Future<?> tcpSide = pool.submit(() -> {
                try (Socket s = tcp.accept()) {
                    s.getOutputStream().write("tcp".getBytes(StandardCharsets.UTF_8));
                }
                return null;
            });
            try (TcpServer server = TcpServer.builder()
                    .bind("127.0.0.1", 0)
                    .service(Services.forward()
                            .toUnix(socket)
                            .to("127.0.0.1", tcp.getLocalPort())
                            .build())
                    .start()) {
                for (String expected : List.of("unix", "tcp")) {
                    try (LoopbackClient client = LoopbackClient.connect(server.port())) {
                        assertThat(new String(client.readToEnd(), StandardCharsets.UTF_8))
                                .isEqualTo(expected);
                    }
                }
            }
            unixSide.get(10, TimeUnit.SECONDS);
            tcpSide.get(10, TimeUnit.SECONDS);
        }
    }

    /** socat, a third-party peer: {@code socat UNIX-LISTEN:PATH,fork EXEC:cat} echoes what it is sent. */
    @Test
    void socatEchoesThroughAUnixUpstream() throws Exception {
        assumeTrue(onPath("socat"), "socat is not installed");
        Path socket = dir.resolve("socat.sock");
        Process socat = new ProcessBuilder("socat", "UNIX-LISTEN:" + socket + ",fork", "EXEC:cat")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.exists(socket) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(socket).exists();
            byte[] data = random(3);
            try (TcpServer server = forward(Transport.AUTO, socket);
                    LoopbackClient client =
                            LoopbackClient.connect(server.port()).readTimeout(Duration.ofSeconds(20))) {
                Future<?> sent = pool.submit(() -> {
                    client.send(data);
                    client.shutdownOutput(); // cat sees its end of input, exits, and socat closes
                    return null;
                });
                byte[] echoed = client.readToEnd();
                sent.get(20, TimeUnit.SECONDS);
                assertThat(Arrays.equals(echoed, data))
                        .as("socat's cat echoed the 1 MiB exactly")
                        .isTrue();
            }
        } finally {
            socat.destroy();
            if (!socat.waitFor(10, TimeUnit.SECONDS)) {
                socat.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean onPath(String program) {
        return PATH_SEPARATOR
                .splitAsStream(System.getenv().getOrDefault("PATH", ""))
                .anyMatch(dir -> !dir.isEmpty() && Files.isExecutable(Path.of(dir, program)));
    }

    private static List<String> awaitLines(LogCapture log) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (log.messages().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return log.messages();
    }
}
