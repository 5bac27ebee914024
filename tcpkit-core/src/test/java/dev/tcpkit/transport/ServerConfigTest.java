package dev.tcpkit.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpkit.options.Transport;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerConfigTest {
    @Test
    void rejectsBadSettingsQuotingTheValue() {
        assertThatThrownBy(() -> config(70000, 1, 0, Duration.ZERO)).hasMessage("port must be in 0..65535: 70000");
        assertThatThrownBy(() -> config(-1, 1, 0, Duration.ZERO)).hasMessage("port must be in 0..65535: -1");
        assertThatThrownBy(() -> config(0, 0, 0, Duration.ZERO)).hasMessage("backlog must be >= 1: 0");
        assertThatThrownBy(() -> config(0, 1, -1, Duration.ZERO)).hasMessage("threads must be >= 0: -1");
        assertThatThrownBy(() -> config(0, 1, 0, Duration.ofSeconds(-1)))
                .hasMessage("drainTimeout must be >= 0: PT-1S");
    }

    @Test
    void shutdownDelayMayBeZeroButNotNegative() {
        assertThat(withShutdownDelay(Duration.ZERO).shutdownDelay()).isZero();
        assertThat(withShutdownDelay(Duration.ofSeconds(2)).shutdownDelay()).hasSeconds(2);
        assertThatThrownBy(() -> withShutdownDelay(Duration.ofMillis(-1)))
                .hasMessage("shutdownDelay must be >= 0: PT-0.001S");
    }

    private static ServerConfig withShutdownDelay(Duration shutdownDelay) {
        return new ServerConfig(null, 0, 1, Transport.NIO, 0, false, Duration.ZERO, shutdownDelay, null);
    }

    private static ServerConfig config(int port, int backlog, int threads, Duration drainTimeout) {
        return new ServerConfig(null, port, backlog, Transport.NIO, threads, false, drainTimeout, Duration.ZERO, null);
    }
}
