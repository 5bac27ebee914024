package dev.tcpkit.service.chat;

import java.util.Locale;

/**
 * What one line from a client asks for: a line to relay, or a command ({@code /nick NAME}, {@code /who},
 * {@code /help}, {@code /quit}).
 *
 * <p>A line starting with {@code /} is a command; its word is matched without regard to case. A line starting with
 * {@code //} is relayed with one slash removed, so that text like {@code /usr/bin} can still be said.
 *
 * @param kind what the line asks for
 * @param argument the text to relay ({@link Kind#SAY}), the rest of the line after the command word, trimmed
 *     ({@link Kind#NICK}), or the command word itself ({@link Kind#UNKNOWN}); empty otherwise
 */
record ChatInput(Kind kind, String argument) {

    enum Kind {
        SAY,
        NICK,
        WHO,
        HELP,
        QUIT,
        UNKNOWN
    }

    static ChatInput parse(String line) {
        if (!line.startsWith("/")) {
            return new ChatInput(Kind.SAY, line);
        }
        if (line.startsWith("//")) {
            return new ChatInput(Kind.SAY, line.substring(1));
        }
        int end = 1;
        while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
            end++;
        }
        String word = line.substring(0, end);
        String rest = line.substring(end).strip();
        return switch (word.toLowerCase(Locale.ROOT)) {
            case "/nick" -> new ChatInput(Kind.NICK, rest);
            case "/who" -> new ChatInput(Kind.WHO, "");
            case "/help" -> new ChatInput(Kind.HELP, "");
            case "/quit" -> new ChatInput(Kind.QUIT, "");
            default -> new ChatInput(Kind.UNKNOWN, word);
        };
    }
}
