package dev.tcpkit.app.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.options.Transport;
import dev.tcpkit.testing.DatagramEcho;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code bench --udp} against a real UDP echo on 127.0.0.1 (and one that drops, one that garbles, none at all). */
@Timeout(120)
final class DatagramBenchTest {
    /**
     * Long enough that no echo on a loaded machine is late (it would count lost too), short enough for a few losses:
     * each holds its connection's window for this long.
     */
    private static final Duration LOSS_TIMEOUT = Duration.ofMillis(500);

    private static BenchConfig counted(int port, int connections, int size, int depth, long count, Duration timeout) {
        return new BenchConfig(
                "127.0.0.1",
                port,
                BenchMode.PINGPONG,
                connections,
                size,
                Duration.ZERO,
                count,
                Duration.ZERO,
                depth,
                0,
                2,
                Transport.AUTO,
                timeout,
                false,
                true);
    }

    @Test
    void everyDatagramIsEchoedAndVerifiedWithSeveralInFlightOnEachConnection() throws Exception {
        try (DatagramEcho echo = DatagramEcho.start()) {
            BenchResult result = BenchRun.run(counted(echo.port(), 3, 1200, 4, 3000, Duration.ofSeconds(30)), p -> {});

            assertThat(result.messages()).isEqualTo(3000);
            assertThat(result.bytes()).isEqualTo(3000L * 1200);
            assertThat(result.latency().getTotalCount()).isEqualTo(3000);
            assertThat(result.lost()).isZero();
            assertThat(result.errors()).isEqualTo(ErrorCounts.NONE);
            assertThat(result.clean()).isTrue();
            assertThat(echo.received()).isEqualTo(3000);
        }
    }

    @Test
    void aDatagramNotEchoedWithinTheTimeoutIsCountedLostAndTheRunGoesOn() throws Exception {
        try (DatagramEcho echo = DatagramEcho.droppingEvery(10)) {
            BenchResult result = BenchRun.run(counted(echo.port(), 1, 64, 1, 50, LOSS_TIMEOUT), p -> {});

            assertThat(echo.dropped()).isEqualTo(5);
            assertThat(result.lost()).isEqualTo(5);
            assertThat(result.messages()).isEqualTo(45);
            assertThat(result.errors()).isEqualTo(ErrorCounts.NONE);
            assertThat(result.clean()).as("a loss is no error").isTrue();
            assertThat(result.stalled()).isFalse();
        }
    }

    @Test
    void withSeveralInFlightTheEchoesAfterALostDatagramStillCount() throws Exception {
        try (DatagramEcho echo = DatagramEcho.droppingEvery(7)) {
            BenchResult result = BenchRun.run(counted(echo.port(), 2, 100, 8, 140, LOSS_TIMEOUT), p -> {});

            assertThat(result.lost()).isEqualTo(echo.dropped()).isEqualTo(20);
            assertThat(result.messages()).isEqualTo(120);
            assertThat(result.errors()).isEqualTo(ErrorCounts.NONE);
        }
    }

    @Test
    void aGarbledEchoIsAMismatch() throws Exception {
        try (DatagramSocket garbling = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Thread peer = new Thread(() -> {
                try {
                    DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
                    garbling.receive(packet);
                    packet.getData()[10] ^= 0x40;
                    garbling.send(packet);
                } catch (java.io.IOException e) {
                    // closed by the test's end
                }
            });
            peer.start();
            BenchResult result =
                    BenchRun.run(counted(garbling.getLocalPort(), 1, 64, 1, 10, Duration.ofSeconds(30)), p -> {});
            peer.join(5_000);

            assertThat(result.errors().mismatch()).isOne();
            assertThat(result.messages()).isZero();
            assertThat(result.clean()).isFalse();
        }
    }

    @Test
    void aPortNobodyListensOnCountsEachConnectionAsRefused() throws Exception {
        int port;
        try (DatagramSocket closed = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            port = closed.getLocalPort();
        }
        BenchResult result = BenchRun.run(counted(port, 3, 64, 1, 30, Duration.ofSeconds(30)), p -> {});

        assertThat(result.errors()).isEqualTo(new ErrorCounts(3, 0, 0, 0, 0));
        assertThat(result.messages()).isZero();
        assertThat(result.clean()).isFalse();
    }
}
