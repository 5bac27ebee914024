package dev.tcpkit.admin;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdminConfigTest {
    @Test
    void rejectsBadSettingsQuotingTheValue() {
        assertThatThrownBy(() -> new AdminConfig(null, 70000, null))
                .hasMessage("admin port must be in 0..65535: 70000");
        assertThatThrownBy(() -> new AdminConfig(null, 0, " ")).hasMessage("admin token must not be blank");
        assertThatThrownBy(() -> new AdminConfig(null, 0, null, List.of("admin.example:9090"), Duration.ofSeconds(1)))
                .hasMessage("admin allowed host must be a host name, without a port: admin.example:9090");
        assertThatThrownBy(() -> new AdminConfig(null, 0, null, List.of(), Duration.ZERO))
                .hasMessage("admin request timeout must be > 0: PT0S");
    }
}
