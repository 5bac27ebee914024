package dev.tcpkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tcpkit.connection.DatagramCounters;
import dev.tcpkit.connection.DatagramCounters.Drop;
import dev.tcpkit.options.Transport;
import dev.tcpkit.security.TlsContexts;
import dev.tcpkit.testing.AdminHttp;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.StringWriter;
import java.io.Writer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@link TcpServer.Builder#udp}: each datagram one message, through real UDP sockets on loopback. */
@Timeout(60)
final class UdpServerTest {
    /** How long a client waits for an answer that must come. */
    private static final int ANSWER_MILLIS = 5_000;
    /** How long a client waits to see that no answer comes. */
    private static final int SILENCE_MILLIS = 500;

    @ParameterizedTest
    @EnumSource(
            value = Transport.class,
            names = {"IO_URING", "EPOLL", "NIO"})
    void echoReturnsEachDatagramUnchangedFromThePortItCameTo(Transport transport) throws Exception {
        assumeThat(transport != Transport.IO_URING || IoUring.isAvailable()).isTrue();
        assumeThat(transport != Transport.EPOLL || Epoll.isAvailable()).isTrue();
        try (TcpServer server =
                        udp().transport(transport).service(Services.echo()).start();
                DatagramSocket client = client()) {
            byte[] binary = new byte[1200];
            for (int i = 0; i < binary.length; i++) {
                binary[i] = (byte) i; // every byte value, NUL and invalid UTF-8 included
            }
            // Not an empty datagram: Netty 4.2.18's epoll and NIO channels send nothing for an empty buffer.
            for (byte[] sent : List.of(binary, "second".getBytes(UTF_8))) {
                send(client, server, sent);
                DatagramPacket answer = receive(client);
                assertThat(Arrays.copyOf(answer.getData(), answer.getLength())).isEqualTo(sent);
                assertThat(answer.getSocketAddress()).isEqualTo(server.localAddress());
            }
            assertThat(server.transport()).isEqualTo(transport);
            DatagramCounters datagrams = Objects.requireNonNull(server.datagrams());
            await().atMost(5, TimeUnit.SECONDS).until(() -> datagrams.answered() == 2);
            assertThat(datagrams.received()).isEqualTo(2);
            assertThat(datagrams.sent()).isEqualTo(2);
            assertThat(server.connections().bytesIn()).isEqualTo(1206);
            assertThat(server.connections().bytesOut()).isEqualTo(1206);
            assertThat(server.openConnections()).isZero();
        }
    }

    @Test
    void echoAnswersEachClientAtItsOwnAddress() throws Exception {
        try (TcpServer server = udp().service(Services.echo()).start();
                DatagramSocket a = client();
                DatagramSocket b = client()) {
            send(a, server, "from a".getBytes(UTF_8));
            send(b, server, "from b".getBytes(UTF_8));
            assertThat(text(receive(b))).isEqualTo("from b");
            assertThat(text(receive(a))).isEqualTo("from a");
        }
    }

    @Test
    void replyPrintsAndAnswersEveryDatagramInTheRecordFormat() throws Exception {
        StringWriter stdout = new StringWriter();
        try (TcpServer server = udp().service(Services.reply()
                                .reply("ok")
                                .charset(UTF_8)
                                .stdout(stdout)
                                .build())
                        .start();
                DatagramSocket client = client()) {
            for (String text : List.of("one", "two", "three")) {
                send(client, server, text.getBytes(UTF_8));
                assertThat(text(receive(client))).isEqualTo("ok");
            }
            send(client, server, new byte[] {'a', (byte) 0xff, 'b'});
            assertThat(text(receive(client))).isEqualTo("ok");
            List<String> lines = stdout.toString().lines().toList();
            String sender = "127.0.0.1:" + client.getLocalPort();
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z " + sender + " >>> one");
            assertThat(lines.get(2)).endsWith(sender + " >>> three");
            assertThat(lines.get(3)).endsWith(sender + " >>> a\uFFFDb"); // shown, never dropped
            assertThat(server.connections().messages()).isEqualTo(4);
        }
    }

    @Test
    void anAnswerWaitsUntilItsRecordIsOnStdout() throws Exception {
        CountDownLatch stdoutMoves = new CountDownLatch(1);
        StringWriter printed = new StringWriter();
        Writer stalled = new Writer() {
            @Override
            public void write(char[] chars, int off, int len) throws IOException {
                try {
                    stdoutMoves.await();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException();
                }
                printed.write(chars, off, len);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        try (TcpServer server = udp().service(
                                Services.log().reply("seen").stdout(stalled).build())
                        .start();
                DatagramSocket client = client()) {
            try {
                send(client, server, "remember me".getBytes(UTF_8));
                assertNothingArrives(client);
            } finally {
                stdoutMoves.countDown();
            }
            assertThat(text(receive(client))).isEqualTo("seen");
            assertThat(printed.toString()).contains(" >>> remember me");
        }
    }

    @Test
    void logWithoutAReplyPrintsEachDatagramAndSendsNothing() throws Exception {
        StringWriter stdout = new StringWriter();
        try (TcpServer server =
                        udp().service(Services.log().stdout(stdout).build()).start();
                DatagramSocket client = client()) {
            send(client, server, "quiet".getBytes(UTF_8));
            DatagramCounters datagrams = Objects.requireNonNull(server.datagrams());
            await().atMost(5, TimeUnit.SECONDS).until(() -> datagrams.answered() == 1);
            assertThat(stdout.toString()).endsWith(" >>> quiet" + System.lineSeparator());
            assertNothingArrives(client);
            assertThat(datagrams.sent()).isZero();
        }
    }

    @Test
    void discardCountsEachDatagramAndSendsNothing() throws Exception {
        try (TcpServer server = udp().service(Services.discard()).start();
                DatagramSocket client = client()) {
            for (int i = 0; i < 3; i++) {
                send(client, server, "sink".getBytes(UTF_8));
            }
            DatagramCounters datagrams = Objects.requireNonNull(server.datagrams());
            await().atMost(5, TimeUnit.SECONDS).until(() -> datagrams.answered() == 3);
            assertThat(datagrams.received()).isEqualTo(3);
            assertThat(server.connections().bytesIn()).isEqualTo(12);
            assertNothingArrives(client);
            assertThat(datagrams.sent()).isZero();
        }
    }

    @Test
    void deniedSendersAreDroppedAndCounted() throws Exception {
        try (TcpServer server = udp().deny("127.0.0.1").service(Services.echo()).start();
                DatagramSocket client = client()) {
            send(client, server, "let me in".getBytes(UTF_8));
            send(client, server, "please".getBytes(UTF_8));
            assertNothingArrives(client);
            DatagramCounters datagrams = Objects.requireNonNull(server.datagrams());
            await().atMost(5, TimeUnit.SECONDS).until(() -> datagrams.dropped(Drop.DENIED) == 2);
            assertThat(datagrams.received()).isZero();
            assertThat(server.connections().bytesIn()).isZero();
        }
    }

    @Test
    void anAllowThatDoesNotCoverTheSenderDropsItToo() throws Exception {
        try (TcpServer server =
                        udp().allow("10.0.0.0/8").service(Services.echo()).start();
                DatagramSocket client = client()) {
            send(client, server, "x".getBytes(UTF_8));
            assertNothingArrives(client);
            assertThat(Objects.requireNonNull(server.datagrams()).dropped(Drop.DENIED))
                    .isEqualTo(1);
        }
    }

    /** The read that detects a cut datagram is each transport's own. */
    @ParameterizedTest
    @EnumSource(
            value = Transport.class,
            names = {"IO_URING", "EPOLL", "NIO"})
    void aDatagramLongerThanTheLargestIsDroppedAndCountedAndOneThatFitsIsServed(Transport transport) throws Exception {
        assumeThat(transport != Transport.IO_URING || IoUring.isAvailable()).isTrue();
        assumeThat(transport != Transport.EPOLL || Epoll.isAvailable()).isTrue();
        try (TcpServer server = udp().transport(transport)
                        .maxDatagram(10)
                        .service(Services.echo())
                        .start();
                DatagramSocket client = client()) {
            send(client, server, "12345678901".getBytes(UTF_8)); // 11 bytes: cut by the kernel to 11, known too long
            send(client, server, "x".repeat(5000).getBytes(UTF_8));
            send(client, server, "1234567890".getBytes(UTF_8));
            assertThat(text(receive(client))).isEqualTo("1234567890");
            DatagramCounters datagrams = Objects.requireNonNull(server.datagrams());
            assertThat(datagrams.dropped(Drop.TOO_LONG)).isEqualTo(2);
            assertThat(datagrams.received()).isEqualTo(1);
        }
    }

    @Test
    void onceStopsAfterTheFirstDatagramIsAnswered() throws Exception {
        try (TcpServer server = udp().once(true).service(Services.echo()).start();
                DatagramSocket client = client()) {
            send(client, server, "only".getBytes(UTF_8));
            assertThat(text(receive(client))).isEqualTo("only");
            server.terminationFuture().get(10, TimeUnit.SECONDS);
            send(client, server, "too late".getBytes(UTF_8));
            assertNothingArrives(client);
        }
    }

    @Test
    void theAdminEndpointShowsDatagramsAndDropsByReason() throws Exception {
        try (TcpServer server = udp().deny("127.0.0.2")
                        .admin("127.0.0.1", 0)
                        .service(Services.echo())
                        .start();
                DatagramSocket client = client();
                DatagramSocket denied = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            send(client, server, "ping".getBytes(UTF_8));
            assertThat(text(receive(client))).isEqualTo("ping");
            send(denied, server, "blocked".getBytes(UTF_8));
            DatagramCounters datagrams = Objects.requireNonNull(server.datagrams());
            await().atMost(5, TimeUnit.SECONDS).until(() -> datagrams.dropped(Drop.DENIED) == 1);

            AdminHttp admin = new AdminHttp(Objects.requireNonNull(server.adminUrl()));
            JsonNode stats = admin.json("/api/stats");
            assertThat(stats.path("datagrams").path("received").asLong()).isEqualTo(1);
            assertThat(stats.path("datagrams").path("sent").asLong()).isEqualTo(1);
            assertThat(stats.path("datagrams").path("dropped").path("denied").asLong())
                    .isEqualTo(1);
            assertThat(stats.path("datagrams").path("dropped").path("too-long").asLong())
                    .isZero();
            assertThat(stats.path("bytesIn").asLong()).isEqualTo(4);
            Map<String, Double> metrics = admin.metrics();
            assertThat(metrics)
                    .containsEntry("tcpkit_datagrams_received_total{service=\"echo\"}", 1.0)
                    .containsEntry("tcpkit_datagrams_dropped_total{reason=\"denied\",service=\"echo\"}", 1.0)
                    .containsEntry("tcpkit_datagrams_dropped_total{reason=\"too-long\",service=\"echo\"}", 0.0);
        }
    }

    @Test
    void aTcpServerHasNoDatagramCountsAndItsStatsNoDatagrams() throws Exception {
        try (TcpServer server =
                TcpServer.builder().bind("127.0.0.1", 0).admin("127.0.0.1", 0).start()) {
            assertThat(server.datagrams()).isNull();
            JsonNode stats = new AdminHttp(Objects.requireNonNull(server.adminUrl())).json("/api/stats");
            assertThat(stats.has("datagrams")).isFalse();
        }
    }

    @Test
    void whatNeedsAConnectionIsRefusedWithUdp() throws Exception {
        assertThatThrownBy(() -> udp().maxConnections(5).start())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConnections needs a connection: it does not go with udp");
        assertThatThrownBy(() -> udp().idleTimeout(Duration.ofSeconds(1)).start())
                .hasMessage("idleTimeout needs a connection: it does not go with udp");
        assertThatThrownBy(() -> udp().proxyProtocol(true).start())
                .hasMessage("proxyProtocol needs a connection: it does not go with udp");
        assertThatThrownBy(() -> udp().tls(
                                TlsContexts.selfSignedServer(List.of(), null, dev.tcpkit.options.TlsProvider.JDK))
                        .start())
                .hasMessage("tls needs a connection: it does not go with udp");
        assertThatThrownBy(() -> udp().service(Services.chat().build()).start())
                .hasMessage("chat needs a connection: it does not serve datagrams");
        assertThatThrownBy(() -> udp().maxDatagram(0)).hasMessage("maxDatagram must be >= 1: 0");
    }

    @Test
    void aUdpPortInUseIsABindFailure() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> udp().port(taken.getLocalPort()).start())
                    .isInstanceOf(dev.tcpkit.options.BindFailedException.class)
                    .hasMessageContaining("in use");
        }
    }

    private static TcpServer.Builder udp() {
        return TcpServer.builder().bind("127.0.0.1", 0).udp(true).drainTimeout(Duration.ofSeconds(1));
    }

    private static DatagramSocket client() throws IOException {
        DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        socket.setSoTimeout(ANSWER_MILLIS);
        return socket;
    }

    private static void send(DatagramSocket client, TcpServer server, byte[] bytes) throws IOException {
        client.send(new DatagramPacket(bytes, bytes.length, server.localAddress()));
    }

    private static DatagramPacket receive(DatagramSocket client) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
        client.receive(packet);
        return packet;
    }

    private static String text(DatagramPacket packet) {
        return new String(packet.getData(), packet.getOffset(), packet.getLength(), UTF_8);
    }

    private static void assertNothingArrives(DatagramSocket client) throws IOException {
        int timeout = client.getSoTimeout();
        client.setSoTimeout(SILENCE_MILLIS);
        try {
            assertThatThrownBy(() -> receive(client)).isInstanceOf(SocketTimeoutException.class);
        } finally {
            client.setSoTimeout(timeout);
        }
    }
}
