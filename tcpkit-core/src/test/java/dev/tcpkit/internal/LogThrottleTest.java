package dev.tcpkit.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

final class LogThrottleTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final LogThrottle throttle = new LogThrottle(Duration.ofSeconds(1), now::get);

    @Test
    void letsTheFirstEventOfEachIntervalThroughWithTheCountOfThoseHeldBack() {
        assertThat(throttle.tryAcquire()).isZero();
        for (int i = 0; i < 41; i++) {
            assertThat(throttle.tryAcquire()).isEqualTo(-1);
        }
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertThat(throttle.tryAcquire()).isEqualTo(-1);
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertThat(throttle.tryAcquire()).isEqualTo(42);
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(throttle.tryAcquire()).isZero();
    }
}
