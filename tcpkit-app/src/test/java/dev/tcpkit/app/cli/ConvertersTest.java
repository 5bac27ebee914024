package dev.tcpkit.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

final class ConvertersTest {
    private final DurationConverter durations = new DurationConverter();
    private final ByteSizeConverter sizes = new ByteSizeConverter();

    @Test
    void parsesDurationsWithUnitsAndIso8601() {
        assertThat(durations.convert("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(durations.convert("1s")).isEqualTo(Duration.ofSeconds(1));
        assertThat(durations.convert("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(durations.convert("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(durations.convert("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(durations.convert("PT1S")).isEqualTo(Duration.ofSeconds(1));
        assertThat(durations.convert("10")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void rejectsAMalformedDurationQuotingIt() {
        assertThatThrownBy(() -> durations.convert("soon"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageStartingWith("'soon' is not a duration");
        assertThatThrownBy(() -> durations.convert("-1s")).isInstanceOf(TypeConversionException.class);
    }

    @Test
    void parsesSizesWithBinaryUnits() {
        assertThat(sizes.convert("1024")).isEqualTo(1024);
        assertThat(sizes.convert("64KiB")).isEqualTo(64 * 1024);
        assertThat(sizes.convert("64k")).isEqualTo(64 * 1024);
        assertThat(sizes.convert("1MiB")).isEqualTo(1024 * 1024);
        assertThat(sizes.convert("1m")).isEqualTo(1024 * 1024);
    }

    @Test
    void rejectsAMalformedOrOutOfRangeSize() {
        assertThatThrownBy(() -> sizes.convert("big"))
                .isInstanceOf(TypeConversionException.class)
                .hasMessageStartingWith("'big' is not a size");
        assertThatThrownBy(() -> sizes.convert("0")).isInstanceOf(TypeConversionException.class);
        assertThatThrownBy(() -> sizes.convert("4GiB")).isInstanceOf(TypeConversionException.class);
    }
}
