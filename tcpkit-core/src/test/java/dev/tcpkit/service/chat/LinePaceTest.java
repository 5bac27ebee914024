package dev.tcpkit.service.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code --max-line-rate} on virtual time. */
final class LinePaceTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aQuietClientMaySendASecondsWorthAtOnceThenOneLinePerInterval() {
        long t = 5_000 * MS;
        LinePace pace = new LinePace(20, t);
        for (int i = 0; i < 20; i++) {
            assertThat(pace.take(t)).as("line %d", i + 1).isZero();
        }
        assertThat(pace.take(t)).isEqualTo(50 * MS);
        assertThat(pace.take(t + 49 * MS)).isEqualTo(MS);
        assertThat(pace.take(t + 50 * MS)).isZero();
        assertThat(pace.take(t + 50 * MS)).isEqualTo(50 * MS);
    }

    @Test
    void aClientAtTheRateIsNeverHeldBack() {
        long t = 0;
        LinePace pace = new LinePace(10, t);
        for (int i = 0; i < 1000; i++) {
            t += 100 * MS;
            assertThat(pace.take(t)).isZero();
        }
    }

    @Test
    void quietTimeEarnsAtMostOneSecondsWorth() {
        long t = 0;
        LinePace pace = new LinePace(4, t);
        t += 60_000 * MS; // a minute of silence
        for (int i = 0; i < 4; i++) {
            assertThat(pace.take(t)).isZero();
        }
        assertThat(pace.take(t)).isEqualTo(250 * MS);
    }

    @Test
    void rejectsARateBelowOne() {
        assertThatThrownBy(() -> new LinePace(0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("perSecond must be >= 1: 0");
    }
}
