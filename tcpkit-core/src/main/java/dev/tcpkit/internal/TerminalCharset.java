package dev.tcpkit.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/** The charset of the user's terminal, for text tcpkit prints or reads from a keyboard. */
public final class TerminalCharset {
    private TerminalCharset() {}

    /**
     * The locale's charset, or UTF-8 when the locale is C or POSIX (plain ASCII would turn every Chinese character
     * into {@code ?}) or names a charset the JDK does not know.
     */
    public static Charset get() {
        String name = System.getProperty("native.encoding");
        if (name == null) {
            return StandardCharsets.UTF_8;
        }
        try {
            Charset charset = Charset.forName(name);
            return charset.equals(StandardCharsets.US_ASCII) ? StandardCharsets.UTF_8 : charset;
        } catch (IllegalArgumentException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
