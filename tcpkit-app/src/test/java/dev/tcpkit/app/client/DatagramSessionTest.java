package dev.tcpkit.app.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpkit.testing.DatagramEcho;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code tcpkit connect --udp} against real UDP peers on 127.0.0.1. */
@Timeout(60)
final class DatagramSessionTest {
    private static final Charset GBK = Charset.forName("GBK");
    private static final Duration SHORT = Duration.ofMillis(300);
    private static final InputStream NO_INPUT = InputStream.nullInputStream();

    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stopPeers() {
        pool.shutdownNow();
    }

    @Test
    void eachStdinLineIsOneDatagramAndEachAnswerIsPrintedOnALineOfItsOwn() throws Exception {
        byte[] printed;
        List<byte[]> received;
        try (DatagramEcho echo = DatagramEcho.start()) {
            printed = run(config(echo.port(), null, SHORT), stdin("hello\nworld\r\n\nlast without end"));
            received = echo.datagrams();
        }
        // The empty line sends nothing: an empty datagram would say nothing either.
        assertThat(received).map(b -> new String(b, UTF_8)).containsExactly("hello", "world", "last without end");
        assertThat(new String(printed, UTF_8)).isEqualTo("hello\nworld\nlast without end\n");
    }

    @Test
    void aDatagramEndingInANewlineIsNotGivenASecondOne() throws Exception {
        try (DatagramEcho echo = DatagramEcho.start()) {
            byte[] printed = run(scripted(echo.port(), SHORT, "one\n", "two"), NO_INPUT);
            assertThat(new String(printed, UTF_8)).isEqualTo("one\ntwo\n");
        }
    }

    @Test
    void eachSendIsOneDatagramTranscodedToTheEncodingAndAnswersAreShownInTheConsolesCharset() throws Exception {
        try (DatagramEcho echo = DatagramEcho.start()) {
            byte[] printed = run(
                    new ClientConfig("127.0.0.1", echo.port(), GBK, UTF_8, List.of("你好", "再见"), false, SHORT),
                    NO_INPUT);
            assertThat(echo.datagrams()).containsExactly("你好".getBytes(GBK), "再见".getBytes(GBK));
            assertThat(new String(printed, UTF_8)).isEqualTo("你好\n再见\n");
        }
    }

    @Test
    void waitsTheTimeoutAfterTheLastDatagramForLateAnswersThenEnds() throws Exception {
        Duration timeout = Duration.ofMillis(1500);
        try (DatagramSocket peer = loopbackSocket()) {
            Future<?> answered = pool.submit(() -> {
                DatagramPacket question = receive(peer);
                Thread.sleep(500); // an answer that takes its time, within the timeout
                byte[] answer = "late answer".getBytes(UTF_8);
                peer.send(new DatagramPacket(answer, answer.length, question.getSocketAddress()));
                return null;
            });
            long start = System.nanoTime();
            byte[] printed = run(scripted(peer.getLocalPort(), timeout, "question"), NO_INPUT);
            long took = System.nanoTime() - start;
            answered.get(10, TimeUnit.SECONDS);

            assertThat(new String(printed, UTF_8)).isEqualTo("late answer\n");
            // The wait counts from the last answer: 0.5 s, then the whole timeout of silence.
            assertThat(Duration.ofNanos(took)).isBetween(timeout.plusMillis(400), timeout.plusSeconds(10));
        }
    }

    @Test
    void receivesOnlyTheServersDatagrams() throws Exception {
        try (DatagramSocket peer = loopbackSocket();
                DatagramSocket stranger = loopbackSocket()) {
            Future<?> answered = pool.submit(() -> {
                SocketAddress client = receive(peer).getSocketAddress();
                byte[] spam = "spam".getBytes(UTF_8);
                stranger.send(new DatagramPacket(spam, spam.length, client));
                byte[] answer = "from the server".getBytes(UTF_8);
                peer.send(new DatagramPacket(answer, answer.length, client));
                return null;
            });
            byte[] printed = run(scripted(peer.getLocalPort(), Duration.ofSeconds(1), "hi"), NO_INPUT);
            answered.get(10, TimeUnit.SECONDS);
            assertThat(new String(printed, UTF_8)).isEqualTo("from the server\n");
        }
    }

    @Test
    void aPortNobodyListensOnIsRefused() throws Exception {
        int port;
        try (DatagramSocket closed = loopbackSocket()) {
            port = closed.getLocalPort();
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> run(config(port, null, Duration.ofSeconds(20)), stdin("anyone?\n")))
                .isInstanceOf(ConnectFailedException.class)
                .hasMessage("cannot connect to 127.0.0.1:" + port + " (udp): connection refused");
        // The refusal ends the session at once, not after the timeout.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void anUnknownHostFailsBeforeAnythingIsSent() {
        assertThatThrownBy(() ->
                        run(new ClientConfig("nosuch.invalid", 7, null, UTF_8, List.of("x"), false, SHORT), NO_INPUT))
                .isInstanceOf(ConnectFailedException.class)
                .hasMessage("cannot connect to nosuch.invalid:7 (udp): unknown host");
    }

    private static ClientConfig config(int port, @Nullable Charset encoding, Duration timeout) {
        return new ClientConfig("127.0.0.1", port, encoding, UTF_8, List.of(), false, timeout);
    }

    private static ClientConfig scripted(int port, Duration timeout, String... sends) {
        return new ClientConfig("127.0.0.1", port, null, UTF_8, List.of(sends), false, timeout);
    }

    private static InputStream stdin(String text) {
        return new ByteArrayInputStream(text.getBytes(UTF_8));
    }

    private static DatagramSocket loopbackSocket() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(20_000);
        return socket;
    }

    private static DatagramPacket receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
        socket.receive(packet);
        return packet;
    }

    /** Runs a whole session and returns what it printed. */
    private static byte[] run(ClientConfig config, InputStream stdin) throws IOException, InterruptedException {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        try (DatagramSession session = DatagramSession.open(config, stdout)) {
            session.run(stdin);
        }
        return stdout.toByteArray();
    }
}
