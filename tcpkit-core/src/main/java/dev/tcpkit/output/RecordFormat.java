package dev.tcpkit.output;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The one-line text form of a record: {@code 2026-11-22T08:30:00.123Z 127.0.0.1:53210 >>> hello}, or with the
 * client's name, as a chat relays it: {@code 2026-11-22T08:30:00.123Z 127.0.0.1:53210 >>> <alice> hello}.
 *
 * <p>Control characters are escaped ({@code \n}, {@code \r}, {@code \t}, {@code \x00}, {@code \x85}) and so are
 * the Unicode line and paragraph separators (as a backslash, {@code u} and four hex digits), so that one record is
 * always one line for every reader, a terminal or a script's {@code splitlines()}; everything else, Chinese
 * included, is printed as it is.
 */
public final class RecordFormat {
    private static final HexFormat HEX = HexFormat.of();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern(
                    "uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** The last time formatted: at high rates many records share a millisecond, and formatting costs more than the rest. */
    private static volatile FormattedTime lastTime = new FormattedTime(Long.MIN_VALUE, "", new byte[0]);

    /** The time as text and as its ASCII bytes; the array is shared, only ever copied from. */
    @SuppressWarnings("ArrayRecordComponent")
    private record FormattedTime(long millis, String text, byte[] ascii) {}

    private RecordFormat() {}

    /** The record as one line, without a line terminator. */
    public static String line(MessageRecord record) {
        return appendLine(record, new StringBuilder(48 + record.text().length()))
                .toString();
    }

    /** Appends the record as one line, without a line terminator, to {@code sb}; returns {@code sb}. */
    public static StringBuilder appendLine(MessageRecord record, StringBuilder sb) {
        sb.append(time(record.timeMillis())).append(' ').append(record.client()).append(" >>> ");
        String name = record.name();
        if (name != null) {
            sb.append('<').append(name).append("> ");
        }
        escapeTo(record.text(), sb);
        return sb;
    }

    /** ISO-8601 UTC time with milliseconds, as used in records and JSON Lines. */
    public static String time(long timeMillis) {
        return formatted(timeMillis).text();
    }

    /** {@link #time} as ASCII bytes; the caller copies them and never changes them. */
    static byte[] timeAscii(long timeMillis) {
        return formatted(timeMillis).ascii();
    }

    private static FormattedTime formatted(long timeMillis) {
        FormattedTime last = lastTime;
        if (last.millis() != timeMillis) {
            String text = TIME.format(Instant.ofEpochMilli(timeMillis));
            last = new FormattedTime(timeMillis, text, text.getBytes(StandardCharsets.US_ASCII));
            lastTime = last;
        }
        return last;
    }

    /** {@code text} with control characters escaped as in a record, so that it shows as one line. */
    public static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        escapeTo(text, sb);
        return sb.toString();
    }

    /** Copies runs of printable text whole: control characters are rare, and appending char by char is slow. */
    static void escapeTo(String text, StringBuilder sb) {
        int run = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isISOControl(c) && c != '\u2028' && c != '\u2029') {
                continue;
            }
            sb.append(text, run, i);
            run = i + 1;
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c <= 0xff) {
                sb.append("\\x").append(HEX.toHexDigits((byte) c));
            } else {
                sb.append("\\u").append(HEX.toHexDigits(c));
            }
        }
        sb.append(text, run, text.length());
    }
}
