package dev.tcpkit.output;

import static java.nio.charset.StandardCharsets.UTF_16BE;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * The raw record's escaping, fuzzed: whatever text a client sends, its record is one line with no control character
 * and no line separator in it, and (for text without a backslash, which the format leaves as it is) unescaping the
 * record gives the text back.
 *
 * <p>Input: the text as UTF-16BE, so every {@code char} (lone surrogates too) is reachable. Seeds in {@code
 * RecordFormatFuzzTestInputs/}.
 */
final class RecordFormatFuzzTest {
    private static final String PREFIX = "1970-01-01T00:00:00.000Z 127.0.0.1:50007 >>> ";

    @FuzzTest
    void aRecordIsOneLineOfPrintableTextThatUnescapesToTheMessage(byte[] bytes) {
        String text = new String(Arrays.copyOf(bytes, bytes.length & ~1), UTF_16BE);
        String line = RecordFormat.line(new MessageRecord(0, "127.0.0.1:50007", text, bytes.length));

        assertThat(line).startsWith(PREFIX);
        String escaped = line.substring(PREFIX.length());
        assertThat(escaped.chars()).noneMatch(RecordFormatFuzzTest::breaksOrControls);
        if (text.indexOf('\\') < 0) {
            assertThat(unescape(escaped)).isEqualTo(text);
        }
    }

    /** A control character, or one that some reader takes for the end of a line. */
    private static boolean breaksOrControls(int c) {
        return Character.isISOControl(c)
                || Character.getType(c) == Character.LINE_SEPARATOR
                || Character.getType(c) == Character.PARAGRAPH_SEPARATOR;
    }

    /** The format's escapes read back: {@code \n}, {@code \r}, {@code \t}, {@code \xHH}, and a backslash, u and four hex digits. */
    private static String unescape(String escaped) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c != '\\' || i + 1 >= escaped.length()) {
                sb.append(c);
                continue;
            }
            char kind = escaped.charAt(++i);
            switch (kind) {
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'x' -> {
                    sb.append((char) Integer.parseInt(escaped.substring(i + 1, i + 3), 16));
                    i += 2;
                }
                case 'u' -> {
                    sb.append((char) Integer.parseInt(escaped.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> sb.append('\\').append(kind);
            }
        }
        return sb.toString();
    }
}
