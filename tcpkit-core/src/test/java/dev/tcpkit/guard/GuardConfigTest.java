package dev.tcpkit.guard;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuardConfigTest {
    private static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    @Test
    void rejectsBadSettingsQuotingTheValue() {
        assertThatThrownBy(() -> config(-1, 0, Duration.ZERO, FIVE_SECONDS))
                .hasMessage("maxConnections must be >= 0: -1");
        assertThatThrownBy(() -> config(0, -3, Duration.ZERO, FIVE_SECONDS))
                .hasMessage("maxConnectionsPerIp must be >= 0: -3");
        assertThatThrownBy(() -> config(0, 0, Duration.ofSeconds(-1), FIVE_SECONDS))
                .hasMessage("idleTimeout must be >= 0: PT-1S");
        assertThatThrownBy(() -> config(0, 0, Duration.ZERO, Duration.ZERO))
                .hasMessage("proxyHeaderTimeout must be > 0: PT0S");
    }

    private static GuardConfig config(
            int maxConnections, int maxConnectionsPerIp, Duration idleTimeout, Duration proxyHeaderTimeout) {
        return new GuardConfig(
                maxConnections,
                maxConnectionsPerIp,
                idleTimeout,
                List.of(),
                List.of(),
                false,
                GuardConfig.LOOPBACK,
                proxyHeaderTimeout);
    }
}
