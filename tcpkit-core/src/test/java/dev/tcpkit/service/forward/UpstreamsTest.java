package dev.tcpkit.service.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpkit.Services;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Round robin over the upstreams; one that failed goes last for retry-after, tried only if all others fail. */
final class UpstreamsTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final Upstream a = Upstream.tcp("a", 1);
    private final Upstream b = Upstream.tcp("b", 2);
    private final Upstream c = Upstream.tcp("::1", 3);
    private final Upstreams upstreams = new Upstreams(List.of(a, b, c), Duration.ofNanos(100), now::get);

    @Test
    void eachConnectionStartsAtTheNextInTurn() {
        assertThat(upstreams.order()).containsExactly(a, b, c);
        assertThat(upstreams.order()).containsExactly(b, c, a);
        assertThat(upstreams.order()).containsExactly(c, a, b);
        assertThat(upstreams.order()).containsExactly(a, b, c);
        assertThat(c).hasToString("[::1]:3");
    }

    @Test
    void aFailedUpstreamGoesLastForRetryAfterThenTakesItsTurnAgain() {
        upstreams.failed(a);
        assertThat(upstreams.order()).containsExactly(b, c, a);
        now.addAndGet(99);
        assertThat(upstreams.order()).containsExactly(b, c, a); // still last one nanosecond before retry-after
        now.addAndGet(1);
        assertThat(upstreams.order()).containsExactly(c, a, b);
    }

    @Test
    void aFailedUpstreamComesBackAfterRetryAfterOrOnASuccess() {
        upstreams.failed(a);
        upstreams.failed(b);
        assertThat(upstreams.order()).containsExactly(c, a, b);
        upstreams.connected(b);
        now.addAndGet(100);
        assertThat(upstreams.order()).containsExactly(b, c, a);
    }

    @Test
    void whenEveryUpstreamIsDownAllAreTried() {
        upstreams.failed(a);
        upstreams.failed(b);
        upstreams.failed(c);
        assertThat(upstreams.order()).containsExactly(a, b, c);
    }

    @Test
    void theBuilderRefusesNoUpstreamAndValuesOutOfRange() {
        assertThatThrownBy(() -> Services.forward().build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Services.forward().to("h", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Services.forward().to(" ", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Services.forward()
                        .to("h", 1)
                        .connectTimeout(Duration.ZERO)
                        .build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(Services.forward().to("h", 1).to("::1", 2).build().upstreams())
                .containsExactly("h:1", "[::1]:2");
    }
}
