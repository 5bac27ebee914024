package dev.tcpkit.output;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

final class RecordFormatTest {
    private static final long TIME = Instant.parse("2026-11-22T08:30:00.123Z").toEpochMilli();

    @Test
    void printsTimeClientAndTextOnOneLine() {
        assertThat(RecordFormat.line(new MessageRecord(TIME, "127.0.0.1:53210", "hello", 5)))
                .isEqualTo("2026-11-22T08:30:00.123Z 127.0.0.1:53210 >>> hello");
    }

    @Test
    void alwaysPrintsThreeDigitsOfMilliseconds() {
        long whole = Instant.parse("2026-11-22T08:30:00Z").toEpochMilli();
        assertThat(RecordFormat.line(new MessageRecord(whole, "[::1]:1", "x", 1)))
                .isEqualTo("2026-11-22T08:30:00.000Z [::1]:1 >>> x");
    }

    @Test
    void escapesControlCharactersSoThatARecordStaysOneLine() {
        assertThat(RecordFormat.line(new MessageRecord(TIME, "c:1", "a\nb\r\tc\u0000d\u001be\u007f", 10)))
                .endsWith(" >>> a\\nb\\r\\tc\\x00d\\x1be\\x7f");
    }

    @Test
    void printsNonAsciiTextAsItIs() {
        assertThat(RecordFormat.line(new MessageRecord(TIME, "c:1", "你好服务端 é \uFFFD", 3)))
                .endsWith(" >>> 你好服务端 é \uFFFD");
    }
}
