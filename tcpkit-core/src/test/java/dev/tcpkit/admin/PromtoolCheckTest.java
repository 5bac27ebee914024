package dev.tcpkit.admin;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.AdminHttp;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.RequiredProgram;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code /metrics} as Prometheus's own linter sees it: {@code promtool check metrics} (Debian's {@code prometheus}
 * package, installed by {@code .ci/run}) accepts it without a word. Outside CI a machine without promtool skips this
 * test; under {@code CI=true} it fails.
 */
@Timeout(60)
final class PromtoolCheckTest {
    @Test
    void promtoolFindsNothingToSayAboutAnEchoServersMetrics() throws Exception {
        RequiredProgram.require("promtool", "prometheus");
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.echo())
                        .admin(null, 0)
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("hello\n".getBytes(UTF_8));
            assertThat(client.readExactly(6)).isEqualTo("hello\n".getBytes(UTF_8));
            String metrics = scrape(server);
            assertThat(metrics)
                    .contains("netty_allocator_memory_used_bytes{")
                    .contains("id=\"" + PrometheusNaming.ALLOCATOR_ID + "\"")
                    .contains("process_cpu_seconds_total ")
                    .contains("system_cpus ");
            assertPromtoolAccepts(metrics);
        }
    }

    /** A relay adds its per-upstream meters. */
    @Test
    void promtoolFindsNothingToSayAboutARelaysMetrics() throws Exception {
        RequiredProgram.require("promtool", "prometheus");
        try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.forward()
                                .to("127.0.0.1", upstream.getLocalPort())
                                .build())
                        .admin(null, 0)
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port());
                Socket joined = upstream.accept()) {
            joined.getOutputStream().write('x');
            assertThat(client.readExactly(1)).containsExactly('x');
            String metrics = scrape(server);
            assertThat(metrics).contains("tcpkit_forward_upstream_connects_total{");
            assertPromtoolAccepts(metrics);
        }
    }

    private static String scrape(TcpServer server) {
        return new AdminHttp(Objects.requireNonNull(server.adminUrl()))
                .get("/metrics")
                .body();
    }

    /** {@code promtool check metrics} with {@code metrics} on its stdin: exit 0, and not a word of lint. */
    private static void assertPromtoolAccepts(String metrics) throws Exception {
        Process promtool = new ProcessBuilder("promtool", "check", "metrics")
                .redirectErrorStream(true)
                .start();
        try (OutputStream in = promtool.getOutputStream()) {
            in.write(metrics.getBytes(UTF_8));
        }
        String said = new String(promtool.getInputStream().readAllBytes(), UTF_8);
        assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(said).as("promtool's lint").isEmpty();
        assertThat(promtool.exitValue()).isZero();
    }
}
