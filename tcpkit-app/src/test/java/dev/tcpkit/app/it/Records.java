package dev.tcpkit.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The message records a tcpkit server prints on stdout: {@code 2026-11-22T08:30:00.123Z 127.0.0.1:53210 >>> hello}. */
final class Records {
    static final Pattern RECORD = Pattern.compile(
            "(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z) (127\\.0\\.0\\.1:(\\d{1,5})|\\[::1]:(\\d{1,5})) >>> (.*)");

    private Records() {}

    /** One record line, taken apart. */
    record Line(Instant time, String client, int clientPort, String text) {}

    /** Every line of {@code stdout} as a record; fails if any line is not in the record format. */
    static List<Line> parse(List<String> stdout) {
        return stdout.stream().map(Records::parse).toList();
    }

    /** One line as a record; fails if it is not in the record format. */
    static Line parse(String line) {
        Matcher m = RECORD.matcher(line);
        assertThat(m.matches()).as("a record line: %s", line).isTrue();
        String port = m.group(3) != null ? m.group(3) : m.group(4);
        return new Line(Instant.parse(m.group(1)), m.group(2), Integer.parseInt(port), m.group(5));
    }

    /** Whether {@code line} is a record of {@code text}, from any loopback client. */
    static boolean isRecordOf(String line, String text) {
        Matcher m = RECORD.matcher(line);
        return m.matches() && m.group(5).equals(text);
    }
}
