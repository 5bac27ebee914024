package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.ProxyHeaders;
import dev.tcpkit.testing.TcpkitProcess;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tcpkit serve}'s limits, access control and PROXY protocol options, as a process: each option reaches the
 * server and each turned-away connection is one line on stderr saying which limit or rule, and whom.
 */
@Timeout(90)
final class LimitsProcessIT {
    private static final Duration EXIT = Duration.ofSeconds(20);

    @Test
    void connectionLimitsAccessRulesAndTheIdleTimeoutEachSayWhomTheyTurnedAway() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe(
                "echo", "--max-connections", "1", "--deny", "127.0.0.2", "--idle-timeout", "3s")) {
            int port = server.awaitListening();
            try (LoopbackClient denied = LoopbackClient.connectFrom("127.0.0.2", port)) {
                assertThat(denied.readUntilClosedOrReset()).isEmpty();
                server.awaitStderrLine(line -> line.endsWith(
                        " INFO  denied 127.0.0.2:" + denied.socket().getLocalPort() + ": matches --deny 127.0.0.2"));
            }
            try (LoopbackClient served = LoopbackClient.connect(port)) {
                served.send("one", UTF_8);
                assertThat(new String(served.readExactly(3), UTF_8)).isEqualTo("one");
                try (LoopbackClient refused = LoopbackClient.connect(port)) {
                    assertThat(refused.readUntilClosedOrReset()).isEmpty();
                    server.awaitStderrLine(line -> line.endsWith(" INFO  refused 127.0.0.1:"
                            + refused.socket().getLocalPort() + ": --max-connections 1 reached"));
                }
                // Then silence: the one connection is cut by the idle timeout.
                assertThat(served.readUntilClosedOrReset()).isEmpty();
                server.awaitStderrLine(line -> line.endsWith(
                        " INFO  cut 127.0.0.1:" + served.socket().getLocalPort() + ": idle for 3s (--idle-timeout)"));
            }
            server.terminate();
            assertThat(server.awaitExit(EXIT)).isZero();
        }
    }

    @Test
    void behindAProxyLogShowsAndLimitsTheClientThePROXYHeaderNames() throws Exception {
        try (TcpkitProcess server = TcpkitProcess.startServe(
                "log", "--framing", "line", "--reply", "ok\n", "--proxy-protocol", "--max-connections-per-ip", "1")) {
            int port = server.awaitListening();
            try (LoopbackClient proxied = LoopbackClient.connect(port)) {
                proxied.send(ProxyHeaders.v1("203.0.113.7", 56324));
                proxied.send("你好 from behind a proxy\n", UTF_8);
                assertThat(new String(proxied.readExactly(3), UTF_8)).isEqualTo("ok\n");
                assertThat(server.awaitStdoutLines(1).get(0)).endsWith(" 203.0.113.7:56324 >>> 你好 from behind a proxy");
                server.awaitStderrLine(line -> line.endsWith(" INFO  203.0.113.7:56324 connected"));

                try (LoopbackClient sameClient = LoopbackClient.connect(port)) {
                    sameClient.send(ProxyHeaders.v2("203.0.113.7", 56325));
                    assertThat(sameClient.readUntilClosedOrReset()).isEmpty();
                    server.awaitStderrLine(line -> line.endsWith(" INFO  refused 203.0.113.7:56325 via 127.0.0.1:"
                            + sameClient.socket().getLocalPort()
                            + ": --max-connections-per-ip 1 reached for 203.0.113.7"));
                }
            }
            try (LoopbackClient noHeader = LoopbackClient.connect(port)) {
                noHeader.send("plain text, no header\r\n", UTF_8);
                assertThat(noHeader.readUntilClosedOrReset()).isEmpty();
                server.awaitStderrLine(line -> line.contains(
                        " INFO  denied 127.0.0.1:" + noHeader.socket().getLocalPort() + ": malformed PROXY header: "));
            }
            server.terminate();
            assertThat(server.awaitExit(EXIT)).isZero();
        }
    }
}
