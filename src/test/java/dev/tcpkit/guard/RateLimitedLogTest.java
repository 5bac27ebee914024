package dev.tcpkit.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.testing.LogCapture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

final class RateLimitedLogTest {
    private static final String LOGGER = "dev.tcpkit.guard.RateLimitedLogTest";

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final RateLimitedLog refusals = new RateLimitedLog(LoggerFactory.getLogger(LOGGER), "refused", now::get);

    @Test
    void logsTheFirstLineAtOnceAndAtMostOneASecondAfterThat() {
        try (LogCapture log = LogCapture.of(LOGGER)) {
            refusals.log("127.0.0.1:40000", "--max-connections 2 reached");
            for (int i = 0; i < 1000; i++) {
                now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1)); // a thousand in one second
                refusals.log("127.0.0.1:" + (40001 + i), "--max-connections 2 reached");
            }
            assertThat(log.messages())
                    .containsExactly(
                            "refused 127.0.0.1:40000: --max-connections 2 reached",
                            "refused 127.0.0.1:41000: --max-connections 2 reached"
                                    + " (and 999 more refused since the last such line)");
        }
    }

    @Test
    void aLoneEventAfterAQuietSpellIsLoggedWithoutACount() {
        try (LogCapture log = LogCapture.of(LOGGER)) {
            refusals.log("a", "why");
            now.addAndGet(TimeUnit.SECONDS.toNanos(5));
            refusals.log("b", "why");
            assertThat(log.messages()).containsExactly("refused a: why", "refused b: why");
        }
    }
}
