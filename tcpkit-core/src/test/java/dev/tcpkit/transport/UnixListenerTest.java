package dev.tcpkit.transport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.connection.Connection;
import dev.tcpkit.options.BindFailedException;
import dev.tcpkit.options.Transport;
import dev.tcpkit.testing.AdminHttp;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.ProxyHeaders;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.io.StringWriter;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code TcpServer.Builder.unix}: a server on a Unix domain stream socket, on each transport that loads here, with
 * JDK {@code UNIX} clients. The socket files live in a temporary directory with a short path ({@code sun_path}).
 */
@Timeout(60)
final class UnixListenerTest {
    @TempDir
    Path dir;

    private static void assumeLoads(Transport transport) {
        assumeTrue(
                switch (transport) {
                    case EPOLL -> Epoll.isAvailable();
                    case IO_URING -> IoUring.isAvailable();
                    default -> true;
                },
                transport + " does not load here");
    }

    private static TcpServer echo(Transport transport, Path socket) throws BindFailedException {
        return TcpServer.builder()
                .unix(socket)
                .transport(transport)
                .drainTimeout(Duration.ZERO)
                .service(Services.echo())
                .start();
    }

    private static SocketChannel connect(Path socket) throws IOException {
        return SocketChannel.open(UnixDomainSocketAddress.of(socket));
    }

    /** Sends {@code text} and reads back as many bytes, within the test's timeout. */
    private static String roundTrip(SocketChannel client, String text) throws IOException {
        client.write(ByteBuffer.wrap(text.getBytes(UTF_8)));
        ByteBuffer answer = ByteBuffer.allocate(text.length());
        while (answer.hasRemaining() && client.read(answer) >= 0) {
            // until the whole echo is in
        }
        return new String(answer.array(), 0, answer.position(), UTF_8);
    }

    private static String currentUid() throws IOException {
        return Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString();
    }

    @ParameterizedTest
    @EnumSource(
            value = Transport.class,
            names = {"EPOLL", "IO_URING", "NIO"})
    void echoesOverTheSocketShowsThePeerAndRemovesTheFileOnClose(Transport transport) throws Exception {
        assumeLoads(transport);
        Path socket = dir.resolve("e.sock");
        try (LogCapture events = LogCapture.of("dev.tcpkit.connection", Level.DEBUG)) {
            TcpServer server = echo(transport, socket);
            try (server;
                    SocketChannel client = connect(socket)) {
                assertThat(server.displayAddress()).isEqualTo("unix:" + socket);
                assertThat(server.unixPath()).isEqualTo(socket);
                assertThat(server.transport()).isEqualTo(transport);
                assertThatThrownBy(server::port).isInstanceOf(IllegalStateException.class);
                assertThat(roundTrip(client, "hello over unix\n")).isEqualTo("hello over unix\n");

                String expected = transport == Transport.NIO
                        ? "unix:?"
                        : "unix:pid=" + ProcessHandle.current().pid() + ",uid=" + currentUid();
                assertThat(server.connections().openConnections())
                        .extracting(Connection::client)
                        .containsExactly(expected);
                client.shutdownOutput(); // echo closes once its answers are out
                assertThat(client.read(ByteBuffer.allocate(1))).isEqualTo(-1);
                await().atMost(Duration.ofSeconds(10)).until(() -> server.openConnections() == 0);
                assertThat(events.messages()).anySatisfy(m -> assertThat(m).startsWith(expected + " connected"));
                assertThat(events.messages()).anySatisfy(m -> assertThat(m).startsWith(expected + " left after"));
            }
            assertThat(socket).doesNotExist();
        }
    }

    @Test
    void aStaleSocketFileIsReplaced() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists(); // the JDK leaves the file behind, as a server that died would
        try (TcpServer server = echo(Transport.AUTO, socket);
                SocketChannel client = connect(socket)) {
            assertThat(roundTrip(client, "again")).isEqualTo("again");
            assertThat(server.openConnections()).isOne();
        }
        assertThat(socket).doesNotExist();
    }

    @Test
    void aLiveSocketIsAddressInUseAndItsServerServesOn() throws Exception {
        Path socket = dir.resolve("l.sock");
        try (TcpServer first = echo(Transport.AUTO, socket)) {
            assertThatThrownBy(() -> echo(Transport.AUTO, socket))
                    .isInstanceOf(BindFailedException.class)
                    .hasMessage("cannot listen on unix:" + socket + ": address already in use");
            try (SocketChannel client = connect(socket)) {
                assertThat(roundTrip(client, "still here")).isEqualTo("still here");
            }
            // the probe and the client, each counted on the event loop that took it, in either order
            await().atMost(Duration.ofSeconds(10)).until(() -> first.counters().accepted() == 2);
        }
    }

    @Test
    void aPathThatIsNotASocketIsRefusedAndLeftAlone() throws Exception {
        Path file = Files.writeString(dir.resolve("data.txt"), "keep me");
        assertThatThrownBy(() -> echo(Transport.AUTO, file))
                .isInstanceOf(BindFailedException.class)
                .hasMessage("cannot listen on unix:" + file + ": exists and is not a socket");
        assertThat(file).hasContent("keep me");
    }

    @Test
    void onceRemovesTheFileWhenItsOneConnectionEnds() throws Exception {
        Path socket = dir.resolve("o.sock");
        TcpServer server = TcpServer.builder()
                .unix(socket)
                .once(true)
                .service(Services.echo())
                .start();
        try (server) {
            try (SocketChannel client = connect(socket)) {
                assertThat(roundTrip(client, "one")).isEqualTo("one");
            }
            server.terminationFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(socket).doesNotExist();
        }
    }

    @Test
    void addressRulesAndPerAddressLimitsAreRefusedOnAUnixSocket() {
        Path socket = dir.resolve("r.sock");
        assertThatThrownBy(() ->
                        TcpServer.builder().unix(socket).allow("127.0.0.1").start())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() ->
                        TcpServer.builder().unix(socket).maxConnectionsPerIp(2).start())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TcpServer.builder().unix(dir.resolve("x".repeat(120))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unix socket path must be 1..107 bytes");
        assertThat(socket).doesNotExist();
    }

    @Test
    void maxConnectionsAndTheIdleTimeoutWorkAsOnTcp() throws Exception {
        Path socket = dir.resolve("m.sock");
        TcpServer server = TcpServer.builder()
                .unix(socket)
                .maxConnections(1)
                .idleTimeout(Duration.ofMillis(500))
                .drainTimeout(Duration.ZERO)
                .service(Services.echo())
                .start();
        try (server;
                SocketChannel first = connect(socket)) {
            assertThat(roundTrip(first, "in")).isEqualTo("in");
            try (SocketChannel second = connect(socket)) {
                assertThat(second.read(ByteBuffer.allocate(1))).isEqualTo(-1); // closed at once
            }
            assertThat(server.counters().refused()).isEqualTo(1);
            // the idle first one is cut
            assertThat(first.read(ByteBuffer.allocate(1))).isEqualTo(-1);
        }
    }

    @Test
    void theAdminApiShowsTheUnixPeer() throws Exception {
        Path socket = dir.resolve("a.sock");
        TcpServer server = TcpServer.builder()
                .unix(socket)
                .admin("127.0.0.1", 0)
                .drainTimeout(Duration.ZERO)
                .service(Services.echo())
                .start();
        try (server;
                SocketChannel client = connect(socket)) {
            assertThat(roundTrip(client, "seen")).isEqualTo("seen");
            AdminHttp http = new AdminHttp(server.adminUrl());
            assertThat(http.json("/api/connections")
                            .get("connections")
                            .get(0)
                            .get("client")
                            .asText())
                    .isEqualTo("unix:pid=" + ProcessHandle.current().pid() + ",uid=" + currentUid());
            assertThat(http.json("/api/stats").get("address").asText()).isEqualTo("unix:" + socket);
        }
    }

    @Test
    void aProxyHeaderNamesTheClientOfAUnixSocketsPeer() throws Exception {
        Path socket = dir.resolve("p.sock");
        TcpServer server = TcpServer.builder()
                .unix(socket)
                .proxyProtocol(true)
                .drainTimeout(Duration.ZERO)
                .service(Services.echo())
                .start();
        try (server;
                SocketChannel client = connect(socket)) {
            client.write(ByteBuffer.wrap(ProxyHeaders.v1("192.0.2.7", 4242)));
            assertThat(roundTrip(client, "behind a proxy")).isEqualTo("behind a proxy");
            assertThat(server.connections().openConnections())
                    .extracting(Connection::client)
                    .containsExactly("192.0.2.7:4242");
        }
    }

    /**
     * Answers owed after the client's half-close still go out on epoll. NIO and io_uring's domain channels close at
     * their input's end in Netty 4.2.18 (RELIABILITY.md), so this holds for epoll only.
     */
    @Test
    void onEpollAReplyOwedAfterTheClientsHalfCloseArrives() throws Exception {
        assumeLoads(Transport.EPOLL);
        Path socket = dir.resolve("h.sock");
        StringWriter stdout = new StringWriter();
        TcpServer server = TcpServer.builder()
                .unix(socket)
                .transport(Transport.EPOLL)
                .service(Services.reply().stdout(stdout).build())
                .start();
        try (server;
                SocketChannel client = connect(socket)) {
            client.write(ByteBuffer.wrap("ping".getBytes(UTF_8)));
            client.shutdownOutput();
            ByteBuffer answer = ByteBuffer.allocate(64);
            while (client.read(answer) >= 0) {
                // until the server closes
            }
            assertThat(new String(answer.array(), 0, answer.position(), UTF_8)).isEqualTo("Hello from TCP server!");
        }
        assertThat(stdout.toString()).endsWith(" >>> ping\n");
    }
}
