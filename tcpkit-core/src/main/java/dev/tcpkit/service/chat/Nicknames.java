package dev.tcpkit.service.chat;

import java.util.Locale;

/**
 * What a chat name may be: 1 to {@value #MAX_LENGTH} letters or digits of any script, {@code -}, {@code _} or
 * {@code .}. So a name never holds a space, a control character or {@code >}, and {@code <name> text} always reads
 * unambiguously. Names are unique in a room without regard to case.
 */
final class Nicknames {
    /** The longest name, in characters (code points). */
    static final int MAX_LENGTH = 32;

    private Nicknames() {}

    static boolean isValid(String name) {
        int length = name.codePointCount(0, name.length());
        if (length < 1 || length > MAX_LENGTH) {
            return false;
        }
        return name.codePoints().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.');
    }

    /** The form names are compared in: {@code Alice} and {@code alice} are the same name. */
    static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
