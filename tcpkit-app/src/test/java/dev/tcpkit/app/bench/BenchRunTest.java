package dev.tcpkit.app.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.options.Transport;
import dev.tcpkit.service.Service;
import dev.tcpkit.testing.CorruptingEcho;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bench runs over real loopback sockets against tcpkit's own echo service (and some misbehaving servers). */
@Timeout(120)
final class BenchRunTest {
    /** Generous: on a loaded CI machine the stall detection must never end a healthy run. */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private static BenchConfig counted(int port, int connections, int size, long count) {
        return new BenchConfig(
                "127.0.0.1",
                port,
                BenchMode.PINGPONG,
                connections,
                size,
                Duration.ZERO,
                count,
                Duration.ZERO,
                0,
                0,
                1,
                Transport.AUTO,
                TIMEOUT,
                false,
                false);
    }

    private static TcpServer echoServer() throws Exception {
        return TcpServer.builder().bind("127.0.0.1", 0).service(Services.echo()).start();
    }

    @Test
    void pingpongWithACountEchoesExactlyThatManyMessagesAllVerified() throws Exception {
        try (TcpServer server = echoServer()) {
            BenchResult result = BenchRun.run(counted(server.port(), 7, 100, 3001), p -> {});

            assertThat(result.messages()).isEqualTo(3001);
            assertThat(result.bytes()).isEqualTo(3001L * 100);
            assertThat(result.latency().getTotalCount()).isEqualTo(3001);
            assertThat(result.established()).isEqualTo(7);
            assertThat(result.alive()).isEqualTo(7);
            assertThat(result.connectLatency().getTotalCount()).isEqualTo(7);
            assertThat(result.errors()).isEqualTo(ErrorCounts.NONE);
            assertThat(result.clean()).isTrue();
            assertThat(result.measuredSeconds()).isPositive();
        }
    }

    @Test
    void depthKeepsSeveralMessagesInFlightAndLargeMessagesSpanPatternPieces() throws Exception {
        // 300 KiB messages are written and checked in more than one piece of the pattern.
        BenchConfig config = new BenchConfig(
                "127.0.0.1",
                1,
                BenchMode.PINGPONG,
                3,
                300 * 1024,
                Duration.ZERO,
                40,
                Duration.ZERO,
                4,
                0,
                2,
                Transport.AUTO,
                TIMEOUT,
                false,
                false);
        try (TcpServer server = echoServer()) {
            BenchResult result = BenchRun.run(withPort(config, server.port()), p -> {});

            assertThat(result.messages()).isEqualTo(40);
            assertThat(result.errors()).isEqualTo(ErrorCounts.NONE);
            assertThat(result.threads()).isEqualTo(2);
        }
    }

    @Test
    void streamModeKeepsAWindowOfWholeChunksInFlight() throws Exception {
        BenchConfig config = new BenchConfig(
                "127.0.0.1",
                1,
                BenchMode.STREAM,
                2,
                64 * 1024,
                Duration.ZERO,
                64,
                Duration.ZERO,
                0,
                0,
                1,
                Transport.AUTO,
                TIMEOUT,
                false,
                false);
        try (TcpServer server = echoServer()) {
            BenchResult result = BenchRun.run(withPort(config, server.port()), p -> {});

            assertThat(config.effectiveDepth()).as("256 KiB of 64 KiB chunks").isEqualTo(4);
            assertThat(result.messages()).isEqualTo(64);
            assertThat(result.bytes()).isEqualTo(64L * 64 * 1024);
            assertThat(result.errors()).isEqualTo(ErrorCounts.NONE);
        }
    }

    @Test
    void aDurationRunMeasuresExactlyTheDurationAndReportsEachSecond() throws Exception {
        BenchConfig config = new BenchConfig(
                "127.0.0.1",
                1,
                BenchMode.PINGPONG,
                2,
                64,
                Duration.ofMillis(1500),
                0,
                Duration.ofMillis(200),
                0,
                0,
                1,
                Transport.AUTO,
                TIMEOUT,
                true,
                false);
        List<Progress> seen = new ArrayList<>();
        try (TcpServer server = echoServer()) {
            BenchResult result = BenchRun.run(withPort(config, server.port()), seen::add);

            assertThat(result.measuredSeconds()).isEqualTo(1.5);
            assertThat(result.bytes()).isEqualTo(result.messages() * 64);
            assertThat(result.errors()).isEqualTo(ErrorCounts.NONE);
            assertThat(seen).as("a line a second, the first in the warmup").isNotEmpty();
            assertThat(seen.get(0).phase()).isEqualTo("warmup");
            assertThat(seen.get(0).toLine())
                    .contains("warmup")
                    .contains("msgs/s")
                    .contains("MB/s");
        }
    }

    @Test
    void theHdrLogHoldsEveryMeasuredLatencyAndNoWarmupOneIntervalASecond(@TempDir Path dir) throws Exception {
        BenchConfig config = new BenchConfig(
                "127.0.0.1",
                1,
                BenchMode.PINGPONG,
                2,
                64,
                Duration.ofMillis(2200),
                0,
                Duration.ofMillis(500),
                0,
                0,
                1,
                Transport.AUTO,
                TIMEOUT,
                false,
                false);
        Path file = dir.resolve("run.hlog");
        try (TcpServer server = echoServer()) {
            BenchResult result = runLogged(withPort(config, server.port()), file);

            MergedLogs logged = MergedLogs.read(List.of(file));
            assertThat(logged.latency()).isEqualTo(result.latency());
            assertThat(logged.latency().getTotalCount())
                    .isEqualTo(result.messages())
                    .isPositive();
            assertThat(logged.intervals())
                    .as("2.7 s of traffic, a second each, and the rest")
                    .isBetween(3, 4);
            assertThat(logged.connectLatency().getTotalCount()).isZero();
        }
    }

    @Test
    void connectModeLogsTheConnectLatenciesTaggedApart(@TempDir Path dir) throws Exception {
        BenchConfig config = new BenchConfig(
                "127.0.0.1",
                1,
                BenchMode.CONNECT,
                20,
                64,
                Duration.ofMillis(300),
                0,
                Duration.ZERO,
                0,
                0,
                0,
                Transport.AUTO,
                TIMEOUT,
                false,
                false);
        Path file = dir.resolve("connect.hlog");
        try (TcpServer server = echoServer()) {
            BenchResult result = runLogged(withPort(config, server.port()), file);

            MergedLogs logged = MergedLogs.read(List.of(file));
            assertThat(logged.connectLatency()).isEqualTo(result.connectLatency());
            assertThat(logged.latency().getTotalCount())
                    .isEqualTo(result.messages())
                    .isEqualTo(20);
        }
    }

    @Test
    void connectModeHoldsEveryConnectionThenEachEchoesOneMessage() throws Exception {
        BenchConfig config = new BenchConfig(
                "127.0.0.1",
                1,
                BenchMode.CONNECT,
                300,
                64,
                Duration.ofMillis(300),
                0,
                Duration.ZERO,
                0,
                0,
                0,
                Transport.AUTO,
                TIMEOUT,
                false,
                false);
        try (TcpServer server = echoServer()) {
            BenchResult result = BenchRun.run(withPort(config, server.port()), p -> {});

            assertThat(result.established()).isEqualTo(300);
            assertThat(result.messages()).as("served").isEqualTo(300);
            assertThat(result.connectLatency().getTotalCount()).isEqualTo(300);
            assertThat(result.alive()).isEqualTo(300);
            assertThat(result.clean()).isTrue();
        }
    }

    @Test
    void openLoopSendsExactlyTheScheduledMessages() throws Exception {
        // 400 msgs/s for 0.5 s: 200 messages are due in the window, whatever the timing of this machine.
        BenchConfig config = new BenchConfig(
                "127.0.0.1",
                1,
                BenchMode.PINGPONG,
                4,
                64,
                Duration.ofMillis(500),
                0,
                Duration.ofMillis(100),
                0,
                400,
                1,
                Transport.AUTO,
                TIMEOUT,
                false,
                false);
        try (TcpServer server = echoServer()) {
            BenchResult result = BenchRun.run(withPort(config, server.port()), p -> {});

            assertThat(result.messages()).isBetween(196L, 204L);
            assertThat(result.messagesPerSecond()).isBetween(392.0, 408.0);
            assertThat(result.errors()).isEqualTo(ErrorCounts.NONE);
        }
    }

    @Test
    void openLoopWithACountSendsThatMany() throws Exception {
        BenchConfig config = new BenchConfig(
                "127.0.0.1",
                1,
                BenchMode.PINGPONG,
                3,
                64,
                Duration.ZERO,
                50,
                Duration.ZERO,
                0,
                1000,
                1,
                Transport.AUTO,
                TIMEOUT,
                false,
                false);
        try (TcpServer server = echoServer()) {
            BenchResult result = BenchRun.run(withPort(config, server.port()), p -> {});

            assertThat(result.messages()).isEqualTo(50);
            assertThat(result.clean()).isTrue();
        }
    }

    @Test
    void aServerThatCorruptsOneByteIsCaughtAsAMismatch() throws Exception {
        Service corrupting = Services.handler("corrupting echo", () -> new CorruptingEcho(1000));
        try (TcpServer server =
                TcpServer.builder().bind("127.0.0.1", 0).service(corrupting).start()) {
            BenchResult result = BenchRun.run(counted(server.port(), 2, 64, 200), p -> {});

            assertThat(result.errors().mismatch()).isEqualTo(2);
            assertThat(result.clean()).isFalse();
            assertThat(result.messages())
                    .as("only the messages before the bad byte were echoed")
                    .isLessThan(200);
        }
    }

    @Test
    void aServerThatNeverAnswersEndsTheRunAsStalledAfterTheTimeout() throws Exception {
        BenchConfig config = new BenchConfig(
                "127.0.0.1",
                1,
                BenchMode.PINGPONG,
                2,
                64,
                Duration.ZERO,
                10,
                Duration.ZERO,
                0,
                0,
                1,
                Transport.AUTO,
                Duration.ofMillis(1500),
                false,
                false);
        try (TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .service(Services.discard())
                .start()) {
            BenchResult result = BenchRun.run(withPort(config, server.port()), p -> {});

            assertThat(result.stalled()).isTrue();
            assertThat(result.messages()).isZero();
            assertThat(result.errors().shortEchoes()).isEqualTo(2);
            assertThat(result.clean()).isFalse();
        }
    }

    @Test
    void aServerThatClosesConnectionsMidEchoCountsThemShort() throws Exception {
        Service closing = Services.handler("closing", CloseAfterFirstRead::new);
        try (TcpServer server =
                TcpServer.builder().bind("127.0.0.1", 0).service(closing).start()) {
            BenchResult result = BenchRun.run(counted(server.port(), 3, 64, 30), p -> {});

            assertThat(result.errors().shortEchoes()).isEqualTo(3);
            assertThat(result.alive()).isZero();
        }
    }

    @Test
    void refusedConnectionFailsWithOneLine() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        BenchConfig config = counted(port, 1, 64, 1);

        assertThatThrownBy(() -> BenchRun.run(config, p -> {}))
                .isInstanceOf(BenchFailedException.class)
                .hasMessage("cannot connect to 127.0.0.1:" + port + ": connection refused");
    }

    @Test
    void unknownHostFailsWithOneLine() {
        BenchConfig config = new BenchConfig(
                "nosuch.invalid",
                7,
                BenchMode.PINGPONG,
                1,
                64,
                Duration.ZERO,
                1,
                Duration.ZERO,
                0,
                0,
                1,
                Transport.AUTO,
                TIMEOUT,
                false,
                false);

        assertThatThrownBy(() -> BenchRun.run(config, p -> {}))
                .isInstanceOf(BenchFailedException.class)
                .hasMessage("cannot connect to nosuch.invalid:7: unknown host");
    }

    /** Runs {@code config} with its latencies logged to {@code file}, closed when the run ends. */
    private static BenchResult runLogged(BenchConfig config, Path file) throws Exception {
        try (LatencyLog log = LatencyLog.create(file)) {
            return BenchRun.run(config, p -> {}, log);
        }
    }

    private static BenchConfig withPort(BenchConfig c, int port) {
        return new BenchConfig(
                c.host(),
                port,
                c.mode(),
                c.connections(),
                c.size(),
                c.duration(),
                c.count(),
                c.warmup(),
                c.depth(),
                c.rate(),
                c.threads(),
                c.transport(),
                c.timeout(),
                c.progress(),
                false);
    }

    /** Echoes nothing and closes on the first read: every message in flight is left short. */
    private static final class CloseAfterFirstRead extends ChannelInboundHandlerAdapter {
        @Override
        @SuppressWarnings("FutureReturnValueIgnored")
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ((ByteBuf) msg).release();
            ctx.close();
        }
    }
}
