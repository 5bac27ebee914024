package dev.tcpkit.output;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The one-line text form of a record: {@code 2026-11-22T08:30:00.123Z 127.0.0.1:53210 >>> hello}.
 *
 * <p>Control characters are escaped ({@code \n}, {@code \r}, {@code \t}, {@code \x00}, {@code \x85}) and so are
 * the Unicode line and paragraph separators (as a backslash, {@code u} and four hex digits), so that one record is
 * always one line for every reader, a terminal or a script's {@code splitlines()}; everything else, Chinese
 * included, is printed as it is.
 */
public final class RecordFormat {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern(
                    "uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private RecordFormat() {}

    /** The record as one line, without a line terminator. */
    public static String line(MessageRecord record) {
        StringBuilder sb = new StringBuilder(48 + record.text().length());
        TIME.formatTo(Instant.ofEpochMilli(record.timeMillis()), sb);
        sb.append(' ').append(record.client()).append(" >>> ");
        escapeTo(record.text(), sb);
        return sb.toString();
    }

    /** ISO-8601 UTC time with milliseconds, as used in records and JSON Lines. */
    public static String time(long timeMillis) {
        return TIME.format(Instant.ofEpochMilli(timeMillis));
    }

    private static String hex(char c, int digits) {
        String hex = Integer.toHexString(c);
        return "0".repeat(digits - hex.length()) + hex;
    }

    static void escapeTo(String text, StringBuilder sb) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isISOControl(c) && c != '\u2028' && c != '\u2029') {
                sb.append(c);
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c <= 0xff) {
                sb.append("\\x").append(hex(c, 2));
            } else {
                sb.append("\\u").append(hex(c, 4));
            }
        }
    }
}
