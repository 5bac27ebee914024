package dev.tcpkit.internal;

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

    @Test
    void countsWhatItLeavesOutPerReasonSoNoLineCarriesAnotherReasonsCount() {
        try (LogCapture log = LogCapture.of(LOGGER)) {
            refusals.log("127.0.0.2:40000", "matches --deny 127.0.0.2");
            for (int i = 0; i < 499; i++) {
                now.addAndGet(TimeUnit.MILLISECONDS.toNanos(1));
                refusals.log("127.0.0.2:" + (40001 + i), "matches --deny 127.0.0.2");
            }
            now.addAndGet(TimeUnit.SECONDS.toNanos(1));
            refusals.log("127.0.0.3:50000", "not in any --allow");
            refusals.log("127.0.0.2:41000", "matches --deny 127.0.0.2");
            refusals.log("127.0.0.3:50001", "not in any --allow");
            assertThat(log.messages())
                    .containsExactly(
                            "refused 127.0.0.2:40000: matches --deny 127.0.0.2",
                            "refused 127.0.0.3:50000: not in any --allow",
                            "refused 127.0.0.2:41000: matches --deny 127.0.0.2"
                                    + " (and 499 more refused since the last such line)");
        }
    }

    @Test
    void linesThatDifferOnlyInDetailShareOneReason() {
        try (LogCapture log = LogCapture.of(LOGGER)) {
            for (int i = 0; i < 100; i++) {
                refusals.log("192.0.2." + i + ":1", "--max-connections-per-ip 1 reached for 192.0.2." + i, "per-ip");
            }
            now.addAndGet(TimeUnit.SECONDS.toNanos(1));
            refusals.log("192.0.2.200:1", "--max-connections-per-ip 1 reached for 192.0.2.200", "per-ip");
            assertThat(log.messages())
                    .containsExactly(
                            "refused 192.0.2.0:1: --max-connections-per-ip 1 reached for 192.0.2.0",
                            "refused 192.0.2.200:1: --max-connections-per-ip 1 reached for 192.0.2.200"
                                    + " (and 99 more refused since the last such line)");
        }
    }

    @Test
    void aFloodOfDistinctReasonsIsStillBoundedAndCountedAsOtherReasons() {
        try (LogCapture log = LogCapture.of(LOGGER)) {
            for (int i = 0; i < 1000; i++) {
                refusals.log("a", "reason " + i);
            }
            assertThat(log.messages()).hasSize(RateLimitedLog.MAX_REASONS + 1);
            now.addAndGet(TimeUnit.SECONDS.toNanos(1));
            refusals.log("b", "reason 999");
            assertThat(log.messages())
                    .last()
                    .isEqualTo("refused b: reason 999 (and " + (1000 - RateLimitedLog.MAX_REASONS - 1)
                            + " more refused for other reasons since the last such line)");
        }
    }
}
