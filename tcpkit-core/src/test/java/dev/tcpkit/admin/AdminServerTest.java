package dev.tcpkit.admin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.Connection;
import dev.tcpkit.options.BindFailedException;
import dev.tcpkit.testing.AdminHttp;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.LoopbackClient;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** The admin endpoint over real HTTP on loopback: what it reports matches what the test did. */
@Timeout(60)
final class AdminServerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static TcpServer echoWithAdmin(@Nullable String token) throws BindFailedException {
        return TcpServer.builder()
                .bind("127.0.0.1", 0)
                .service(Services.echo())
                .admin(null, 0)
                .adminToken(token)
                .start();
    }

    private static AdminHttp admin(TcpServer server) {
        String url = Objects.requireNonNull(server.adminUrl(), "no admin endpoint");
        assertThat(url).startsWith("http://127.0.0.1:");
        return new AdminHttp(url);
    }

    /** Sends {@code n} bytes and reads them back, so that both directions are counted when it returns. */
    private static void echo(LoopbackClient client, int n) throws IOException {
        byte[] bytes = new byte[n];
        java.util.Arrays.fill(bytes, (byte) 'x');
        client.send(bytes);
        assertThat(client.readExactly(n)).isEqualTo(bytes);
    }

    @Test
    void apiConnectionsListsEachOpenClientWithItsBytes() throws Exception {
        try (TcpServer server = echoWithAdmin(null);
                LoopbackClient a = LoopbackClient.connect(server.port());
                LoopbackClient b = LoopbackClient.connect(server.port())) {
            echo(a, 100);
            echo(b, 2500);
            AdminHttp http = admin(server);

            await().atMost(WAIT).untilAsserted(() -> {
                JsonNode list = http.json("/api/connections");
                assertThat(list.get("service").asText()).isEqualTo("echo");
                assertThat(list.get("open").asInt()).isEqualTo(2);
                Map<String, JsonNode> byClient = new HashMap<>();
                list.get("connections")
                        .forEach(c -> byClient.put(c.get("client").asText(), c));
                assertThat(byClient).hasSize(2);
                JsonNode first = Objects.requireNonNull(
                        byClient.get("127.0.0.1:" + a.socket().getLocalPort()));
                JsonNode second = Objects.requireNonNull(
                        byClient.get("127.0.0.1:" + b.socket().getLocalPort()));
                assertThat(first.get("bytesIn").asLong()).isEqualTo(100);
                assertThat(first.get("bytesOut").asLong()).isEqualTo(100);
                assertThat(second.get("bytesIn").asLong()).isEqualTo(2500);
                assertThat(second.get("bytesOut").asLong()).isEqualTo(2500);
                // Echo has bytes, not messages: the field is absent rather than a misleading 0.
                assertThat(first.has("messages")).isFalse();
                assertThat(first.has("name")).isFalse();
                assertThat(first.get("connectedAt").asText()).endsWith("Z");
                assertThat(first.get("id").asLong())
                        .isNotEqualTo(second.get("id").asLong());
            });
        }
    }

    @Test
    void apiStatsListsTheGuardsLimitsAndRules() throws Exception {
        try (TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .service(Services.echo())
                .maxConnections(50)
                .maxConnectionsPerIp(5)
                .idleTimeout(Duration.ofSeconds(30))
                .allow("127.0.0.0/8")
                .allow("::1")
                .deny("10.0.0.0/8")
                .admin(null, 0)
                .start()) {
            JsonNode limits = admin(server).json("/api/stats").get("limits");
            assertThat(limits.get("maxConnections").isInt()).isTrue();
            assertThat(limits.get("maxConnections").asInt()).isEqualTo(50);
            assertThat(limits.get("maxConnectionsPerIp").asInt()).isEqualTo(5);
            assertThat(limits.get("idleTimeoutSeconds").isNumber()).isTrue();
            assertThat(limits.get("idleTimeoutSeconds").asDouble()).isEqualTo(30.0);
            assertThat(limits.get("drainTimeoutSeconds").asDouble()).isEqualTo(10.0);
            assertThat(limits.get("allow").toString()).isEqualTo("[\"127.0.0.0/8\",\"::1\"]");
            assertThat(limits.get("deny").toString()).isEqualTo("[\"10.0.0.0/8\"]");
            assertThat(limits.has("proxyProtocolFrom")).isFalse();
            // Keys for programs: no spaces; display text (units, "none") is the page's.
            assertThat(limits.fieldNames()).toIterable().allMatch(k -> k.matches("[a-z][A-Za-z]*"));
        }
        try (TcpServer plain = echoWithAdmin(null)) {
            JsonNode limits = admin(plain).json("/api/stats").get("limits");
            assertThat(limits.get("maxConnections").isNull()).isTrue();
            assertThat(limits.get("idleTimeoutSeconds").isNull()).isTrue();
            assertThat(limits.has("allow")).isFalse();
        }
    }

    @Test
    void apiStatsCountsConnectionsAndBytesIncludingClosedOnes() throws Exception {
        try (TcpServer server = echoWithAdmin(null)) {
            AdminHttp http = admin(server);
            for (int i = 0; i < 3; i++) {
                try (LoopbackClient c = LoopbackClient.connect(server.port())) {
                    echo(c, 1000);
                }
            }
            try (LoopbackClient open = LoopbackClient.connect(server.port())) {
                echo(open, 10);
                await().atMost(WAIT).untilAsserted(() -> {
                    JsonNode stats = http.json("/api/stats");
                    assertThat(stats.get("service").asText()).isEqualTo("echo");
                    assertThat(stats.get("address").asText()).isEqualTo(server.displayAddress());
                    assertThat(stats.get("connections").get("open").asInt()).isEqualTo(1);
                    assertThat(stats.get("connections").get("accepted").asLong())
                            .isEqualTo(4);
                    assertThat(stats.get("connections").get("refused").asLong()).isZero();
                    JsonNode closed = stats.get("connections").get("closed");
                    assertThat(closed.get("client-closed").asLong()).isEqualTo(3);
                    assertThat(closed.get("idle-timeout").asLong()).isZero();
                    assertThat(closed.size()).isEqualTo(CloseReason.values().length);
                    assertThat(stats.get("bytesIn").asLong()).isEqualTo(3010);
                    assertThat(stats.get("bytesOut").asLong()).isEqualTo(3010);
                    assertThat(stats.get("limits").get("backlog").asInt()).isEqualTo(1024);
                    assertThat(stats.get("history").get("connectionsPerSecond").isArray())
                            .isTrue();
                });
            }
        }
    }

    @Test
    void apiConnectionsShowsMessagesForAMessageServiceAndTheNameAServiceGivesAClient() throws Exception {
        // A service that names its clients, as chat does: it sets Connection.NAME, and counts what it receives.
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.handler("named", NamingHandler::new))
                        .admin(null, 0)
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("ann", UTF_8);
            assertThat(new String(client.readExactly(3), UTF_8)).isEqualTo("ok\n");
            AdminHttp http = admin(server);
            JsonNode connection =
                    http.json("/api/connections").get("connections").get(0);
            assertThat(connection.get("name").asText()).isEqualTo("ann");
            assertThat(connection.get("messages").asLong()).isEqualTo(1);
            assertThat(http.json("/api/stats").get("messages").asLong()).isEqualTo(1);
        }
    }

    @Test
    void apiConnectionsShowsEachChatClientsNameAndLines() throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.chat()
                                .stdout(new java.io.StringWriter())
                                .build())
                        .admin(null, 0)
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("/nick ann\nhello\n", UTF_8);
            AdminHttp http = admin(server);
            await().atMost(WAIT)
                    .until(() -> http.json("/api/stats").get("messages").asLong() == 1);
            JsonNode connection =
                    http.json("/api/connections").get("connections").get(0);
            assertThat(connection.get("name").asText()).isEqualTo("ann");
            assertThat(connection.get("messages").asLong()).isEqualTo(1);
        }
    }

    /** Takes what a client sends as its name, counts it as one message, answers "ok\n". */
    private static final class NamingHandler extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Objects.requireNonNull(Connection.of(ctx.channel())).trackMessages();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            io.netty.buffer.ByteBuf buf = (io.netty.buffer.ByteBuf) msg;
            try {
                ctx.channel().attr(Connection.NAME).set(buf.toString(UTF_8));
                Objects.requireNonNull(Connection.of(ctx.channel())).countMessage();
            } finally {
                buf.release();
            }
            ctx.writeAndFlush(io.netty.buffer.Unpooled.copiedBuffer("ok\n", UTF_8))
                    .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    @Test
    void metricsAreThePrometheusTextOfWhatTheTestDid() throws Exception {
        try (TcpServer server = echoWithAdmin(null)) {
            AdminHttp http = admin(server);
            for (int i = 0; i < 5; i++) {
                try (LoopbackClient c = LoopbackClient.connect(server.port())) {
                    echo(c, 321);
                }
            }
            try (LoopbackClient open = LoopbackClient.connect(server.port())) {
                echo(open, 4);
                await().atMost(WAIT).untilAsserted(() -> {
                    Map<String, Double> m = http.metrics();
                    String tag = "{service=\"echo\"}";
                    assertThat(m.get("tcpkit_connections_open" + tag)).isEqualTo(1.0);
                    assertThat(m.get("tcpkit_connections_accepted_total" + tag)).isEqualTo(6.0);
                    assertThat(m.get("tcpkit_connections_refused_total" + tag)).isEqualTo(0.0);
                    assertThat(m.get("tcpkit_connections_denied_total" + tag)).isEqualTo(0.0);
                    assertThat(m.get("tcpkit_connections_cut_total" + tag)).isEqualTo(0.0);
                    assertThat(m.get("tcpkit_connections_closed_total{reason=\"client-closed\",service=\"echo\"}"))
                            .isEqualTo(5.0);
                    assertThat(m.get("tcpkit_connections_closed_total{reason=\"max-line\",service=\"echo\"}"))
                            .isEqualTo(0.0);
                    assertThat(m.get("tcpkit_received_bytes_total" + tag)).isEqualTo(5 * 321 + 4.0);
                    assertThat(m.get("tcpkit_sent_bytes_total" + tag)).isEqualTo(5 * 321 + 4.0);
                    assertThat(m.get("tcpkit_messages_total" + tag)).isEqualTo(0.0);
                    // The JVM's and Netty's allocator meters are there too.
                    assertThat(m.keySet())
                            .anyMatch(k -> k.startsWith("jvm_memory_used_bytes{"))
                            .anyMatch(k -> k.startsWith("jvm_threads_live_threads"))
                            .anyMatch(k -> k.startsWith("process_files_open_files"))
                            .anyMatch(k -> k.startsWith("netty_allocator_memory_used"));
                });
            }
            HttpResponse<String> raw = http.get("/metrics");
            assertThat(raw.headers().firstValue("Content-Type")).hasValue(AdminMetrics.CONTENT_TYPE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/api/connections", "/api/stats", "/metrics"})
    void aTokenGuardsEveryPage(String path) throws Exception {
        try (TcpServer server = echoWithAdmin("s3cret")) {
            AdminHttp http = admin(server);
            HttpResponse<String> none = http.get(path);
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(none.headers().firstValue("WWW-Authenticate"))
                    .hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
            assertThat(none.body()).doesNotContain("tcpkit_", "connections\":[");
            assertThat(http.get(path, "wrong").statusCode()).isEqualTo(401);
            assertThat(http.get(path + "?token=wrong").statusCode()).isEqualTo(401);

            assertThat(http.get(path, "s3cret").statusCode()).isEqualTo(200);
            assertThat(http.get(path + "?token=s3cret").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void closeDisconnectsTheClientItNamesAndNoOther() throws Exception {
        try (LogCapture events = LogCapture.of("dev.tcpkit.connection");
                TcpServer server = echoWithAdmin("t");
                LoopbackClient keep = LoopbackClient.connect(server.port());
                LoopbackClient drop = LoopbackClient.connect(server.port())) {
            ((Logger) LoggerFactory.getLogger("dev.tcpkit.connection")).setLevel(Level.DEBUG); // echo's events
            echo(keep, 1);
            echo(drop, 1);
            AdminHttp http = admin(server);
            long dropId = idOf(http, "t", drop);

            assertThat(http.post("/api/connections/" + dropId + "/close", null).statusCode())
                    .isEqualTo(401);
            HttpResponse<String> closed = http.post("/api/connections/" + dropId + "/close", "t");
            assertThat(closed.statusCode()).isEqualTo(200);
            assertThat(closed.body()).isEqualTo("{\"closed\":" + dropId + "}");

            assertThat(drop.readToEnd()).isEmpty(); // end of stream: the server closed it
            echo(keep, 7); // the other client is still served
            await().atMost(WAIT).until(() -> server.connections().openCount() == 1);
            assertThat(server.connections().openConnections())
                    .singleElement()
                    .extracting(Connection::client)
                    .isEqualTo("127.0.0.1:" + keep.socket().getLocalPort());
            assertThat(events.messages())
                    .filteredOn(m -> m.contains(" left after "))
                    .singleElement()
                    .asString()
                    .endsWith(": closed from the admin endpoint");
            // The same word in the admin API and the metrics as in the disconnect event's reason.
            assertThat(http.json("/api/stats?token=t")
                            .get("connections")
                            .get("closed")
                            .get("admin-close")
                            .asLong())
                    .isOne();
            Map<String, Double> metrics =
                    AdminHttp.parsePrometheus(http.get("/metrics", "t").body());
            assertThat(metrics.get("tcpkit_connections_closed_total{reason=\"admin-close\",service=\"echo\"}"))
                    .isEqualTo(1.0);

            assertThat(http.post("/api/connections/" + dropId + "/close", "t").statusCode())
                    .isEqualTo(404);
        }
    }

    @Test
    void closeIsAPostFromThePagesOwnOrigin() throws Exception {
        try (TcpServer server = echoWithAdmin(null);
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            echo(client, 1);
            AdminHttp http = admin(server);
            long id = idOf(http, null, client);
            String path = "/api/connections/" + id + "/close";

            assertThat(http.get(path).statusCode()).isEqualTo(405);
            HttpResponse<String> foreign = http.send(http.request(path)
                    .header("Origin", "http://evil.example")
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                    .build());
            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(server.connections().openCount()).isEqualTo(1);

            String self = Objects.requireNonNull(server.adminUrl()).replaceAll("/$", "");
            HttpResponse<String> own = http.send(http.request(path)
                    .header("Origin", self)
                    .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                    .build());
            assertThat(own.statusCode()).isEqualTo(200);
            assertThat(client.readToEnd()).isEmpty();
        }
    }

    @Test
    void anUnknownPageIs404AndTheStatusPageIsSelfContainedHtml() throws Exception {
        try (TcpServer server = echoWithAdmin(null)) {
            AdminHttp http = admin(server);
            assertThat(http.get("/nope").statusCode()).isEqualTo(404);
            assertThat(http.post("/api/stats", null).statusCode()).isEqualTo(405);
            HttpResponse<String> page = http.get("/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
            assertThat(page.headers().firstValue("Content-Security-Policy"))
                    .hasValueSatisfying(v -> assertThat(v).contains("default-src 'none'"));
            assertThat(page.body()).contains("<script>", "/api/stats", "/api/connections");
            assertThat(page.body()).doesNotContain("<script src", "<link rel=\"stylesheet\"", "https://");
        }
    }

    @Test
    void anAdminPortInUseFailsTheStartWithOneLineAndReleasesTheServerPort() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int adminPort = taken.getLocalPort();
            int serverPort;
            try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                serverPort = probe.getLocalPort();
            }
            assertThatThrownBy(() -> TcpServer.builder()
                            .bind("127.0.0.1", serverPort)
                            .admin("127.0.0.1", adminPort)
                            .start())
                    .isInstanceOf(BindFailedException.class)
                    .hasMessage("cannot listen on 127.0.0.1:" + adminPort
                            + " for the admin endpoint: address already in use");
            // The main server that did start was closed again: its port is free.
            try (ServerSocket again = new ServerSocket(serverPort, 50, InetAddress.getLoopbackAddress())) {
                assertThat(again.getLocalPort()).isEqualTo(serverPort);
            }
        }
    }

    @Test
    void theAdminEndpointStopsWithTheServer() throws Exception {
        TcpServer server = echoWithAdmin(null);
        AdminHttp http = admin(server);
        assertThat(http.get("/api/stats").statusCode()).isEqualTo(200);
        server.close();
        assertThatThrownBy(() -> http.get("/api/stats")).isInstanceOf(java.io.UncheckedIOException.class);
    }

    private static long idOf(AdminHttp http, @Nullable String token, LoopbackClient client) {
        String client127 = "127.0.0.1:" + client.socket().getLocalPort();
        List<Long> ids = new ArrayList<>();
        JsonNode list = http.json("/api/connections" + (token == null ? "" : "?token=" + token));
        for (JsonNode c : list.get("connections")) {
            if (c.get("client").asText().equals(client127)) {
                ids.add(c.get("id").asLong());
            }
        }
        assertThat(ids).hasSize(1);
        return ids.get(0);
    }
}
