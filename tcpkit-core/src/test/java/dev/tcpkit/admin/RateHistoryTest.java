package dev.tcpkit.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The per-second rates behind the page's charts, on a virtual clock. */
final class RateHistoryTest {

    @Test
    void eachSampleIsTheRateSinceThePreviousOne() {
        RateHistory history = new RateHistory(10);
        history.sample(1_000, 0, 0, 0);
        assertThat(history.connectionsPerSecond()).isEmpty();
        history.sample(2_000, 5, 1_000, 500);
        history.sample(4_000, 9, 5_000, 500); // two seconds later: per second, halved
        assertThat(history.connectionsPerSecond()).containsExactly(5.0, 2.0);
        assertThat(history.bytesInPerSecond()).containsExactly(1_000.0, 2_000.0);
        assertThat(history.bytesOutPerSecond()).containsExactly(500.0, 0.0);
    }

    @Test
    void keepsTheNewestSamplesOldestFirst() {
        RateHistory history = new RateHistory(3);
        for (long second = 0; second <= 5; second++) {
            history.sample(second * 1_000L, second * second, 0, 0); // rates 1, 3, 5, 7, 9
        }
        assertThat(history.connectionsPerSecond()).containsExactly(5.0, 7.0, 9.0);
    }
}
