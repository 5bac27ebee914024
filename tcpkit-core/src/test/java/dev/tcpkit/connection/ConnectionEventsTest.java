package dev.tcpkit.connection;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.service.Service;
import dev.tcpkit.testing.LoopbackClient;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/**
 * Every connection of every service is tracked while open and leaves a connect and a disconnect event with its bytes,
 * duration and the reason it ended, as key-values (the fields of {@code --log-format json}).
 */
@Timeout(60)
final class ConnectionEventsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Logger logger = (Logger) LoggerFactory.getLogger(ConnectionMeter.class);
    private final ListAppender<ILoggingEvent> events = new ListAppender<>();
    private @Nullable Level levelBefore;

    @BeforeEach
    void capture() {
        levelBefore = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        events.start();
        logger.addAppender(events);
    }

    @AfterEach
    void release() {
        logger.detachAppender(events);
        logger.setLevel(levelBefore);
    }

    @Test
    void anEchoClientThatClosesIsLoggedAtDebugWithItsBytesAndClosedByClient() throws Exception {
        try (TcpServer server = start(Services.echo())) {
            int clientPort;
            try (LoopbackClient client = LoopbackClient.connect(server.port())) {
                clientPort = client.socket().getLocalPort();
                client.send("hello", UTF_8);
                assertThat(client.readExactly(5)).isEqualTo("hello".getBytes(UTF_8));
                assertThat(server.connections().openCount()).isEqualTo(1);
                client.shutdownOutput();
                assertThat(client.readToEnd()).isEmpty();
            }
            Map<String, Object> left = awaitEvent("disconnect");
            assertThat(left)
                    .containsEntry("service", "echo")
                    .containsEntry("client", "127.0.0.1:" + clientPort)
                    .containsEntry("bytesIn", 5L)
                    .containsEntry("bytesOut", 5L)
                    .containsEntry("reason", "client-closed")
                    .containsEntry("detail", "closed by client")
                    .doesNotContainKey("messages");
            assertThat((Long) left.get("durationMs")).isNotNegative();
            assertThat(awaitEvent("connect")).containsEntry("client", "127.0.0.1:" + clientPort);
            assertThat(levelOf("disconnect")).isEqualTo(Level.DEBUG);
            assertThat(message("disconnect"))
                    .matches("127\\.0\\.0\\.1:" + clientPort
                            + " left after \\d+\\.\\d s \\(5 bytes in, 5 bytes out\\): closed by client");
            await().atMost(WAIT).until(() -> server.connections().openCount() == 0);
            assertThat(server.connections().bytesIn()).isEqualTo(5);
            assertThat(server.connections().closed(CloseReason.CLIENT_CLOSED)).isOne();
        }
    }

    @Test
    void aConnectionTheServiceClosesIsClosedByServer() throws Exception {
        try (TcpServer server = start(Services.handler("closer", CloseOnFirstRead::new));
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("x", UTF_8);
            assertThat(client.readToEnd()).isEmpty();
            assertThat(awaitEvent("disconnect"))
                    .containsEntry("reason", "server-closed")
                    .containsEntry("detail", "closed by server");
        }
    }

    @Test
    void anIdleCutSaysIdleTimeoutNotClosedByServer() throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .idleTimeout(Duration.ofMillis(200))
                        .service(Services.echo())
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            assertThat(client.readToEnd()).isEmpty();
            assertThat(awaitEvent("disconnect"))
                    .containsEntry("reason", "idle-timeout")
                    .containsEntry("detail", "idle for 200ms (--idle-timeout)");
            assertThat(server.counters().cut()).isEqualTo(1);
            assertThat(server.connections().closed(CloseReason.IDLE_TIMEOUT)).isOne();
            assertThat(server.connections().closed(CloseReason.SERVER_CLOSED)).isZero();
        }
    }

    @Test
    void aResetIsTheReasonWhenTheClientResets() throws Exception {
        try (TcpServer server = start(Services.discard());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("abc", UTF_8);
            await().atMost(WAIT).until(() -> server.connections().bytesIn() == 3);
            client.socket().setSoLinger(true, 0);
            client.socket().close();
            Map<String, Object> left = awaitEvent("disconnect");
            assertThat(left).containsEntry("reason", "peer-reset");
            assertThat((String) left.get("detail")).contains("reset");
        }
    }

    @Test
    void theLogServiceAnnouncesAtInfoWithItsMessageCount() throws Exception {
        try (TcpServer server = start(Services.log()
                        .framing(dev.tcpkit.codec.Framing.LINE)
                        .stdout(new StringWriter())
                        .build());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("one\ntwo\nthree\n", UTF_8);
            await().atMost(WAIT).until(() -> server.connections().messages() == 3);
            Connection connection = server.connections().openConnections().get(0);
            assertThat(connection.messagesTracked()).isTrue();
            assertThat(connection.messages()).isEqualTo(3);
            assertThat(connection.bytesIn()).isEqualTo(14);
            client.shutdownOutput();
            assertThat(client.readToEnd()).isEmpty();
            assertThat(awaitEvent("disconnect"))
                    .containsEntry("messages", 3L)
                    .containsEntry("bytesIn", 14L)
                    .containsEntry("reason", "client-closed");
            assertThat(levelOf("connect")).isEqualTo(Level.INFO);
            assertThat(message("disconnect")).contains(" (3 messages, 14 bytes in, 0 bytes out): closed by client");
        }
    }

    @Test
    void theRegistryForgetsAConnectionWhenItCloses() throws Exception {
        try (TcpServer server = start(Services.echo())) {
            LoopbackClient a = LoopbackClient.connect(server.port());
            try (LoopbackClient b = LoopbackClient.connect(server.port())) {
                await().atMost(WAIT).until(() -> server.connections().openCount() == 2);
                a.close();
                await().atMost(WAIT).until(() -> server.connections().openCount() == 1);
                Connection left = server.connections().openConnections().get(0);
                assertThat(left.client()).isEqualTo("127.0.0.1:" + b.socket().getLocalPort());
                assertThat(server.connections().get(left.id())).isSameAs(left);
            }
        }
    }

    private static TcpServer start(Service service) throws Exception {
        return TcpServer.builder().bind("127.0.0.1", 0).service(service).start();
    }

    private Map<String, Object> awaitEvent(String name) {
        await().atMost(WAIT).until(() -> find(name) != null);
        ILoggingEvent event = find(name);
        Map<String, Object> values = new HashMap<>();
        for (KeyValuePair kv : eventKeyValues(event)) {
            values.put(kv.key, kv.value);
        }
        return values;
    }

    private Level levelOf(String name) {
        ILoggingEvent event = find(name);
        return event == null ? Level.OFF : event.getLevel();
    }

    private String message(String name) {
        ILoggingEvent event = find(name);
        return event == null ? "" : event.getFormattedMessage();
    }

    private @Nullable ILoggingEvent find(String name) {
        for (ILoggingEvent e : List.copyOf(events.list)) {
            for (KeyValuePair kv : eventKeyValues(e)) {
                if (kv.key.equals("event") && name.equals(kv.value)) {
                    return e;
                }
            }
        }
        return null;
    }

    private static List<KeyValuePair> eventKeyValues(@Nullable ILoggingEvent e) {
        List<KeyValuePair> kvs = e == null ? null : e.getKeyValuePairs();
        return kvs == null ? List.of() : kvs;
    }

    /** Reads one message, then closes the connection while the client is still there. */
    private static final class CloseOnFirstRead extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
            ctx.close().addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
