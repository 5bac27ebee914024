package dev.tcpkit.service.chat;

import dev.tcpkit.output.RecordFormat;
import java.time.Duration;
import java.util.Locale;

/**
 * Every line the chat service sends to clients, in one place: they are a stable format that people and scripts read.
 *
 * <p>A relayed line is {@code <name> text}. Everything the server itself says starts with {@code *** }, which no
 * relayed line can (a name never holds {@code >} or a space). Control characters in relayed text are escaped as in
 * the log records ({@code \x1b}, {@code \t}), so one client cannot move another's cursor or clear its screen; every
 * other character, Chinese included, is sent as it is, in the server's charset.
 */
final class ChatText {
    static final String NOTICE = "*** ";

    private ChatText() {}

    static String relayed(String name, String text) {
        return "<" + name + "> " + RecordFormat.escape(text);
    }

    static String welcome(String name, int online) {
        return NOTICE + "welcome, you are " + name + "; " + online + " online (/who lists them, /help the commands)";
    }

    static String joined(String name, String address) {
        return NOTICE + name + " joined from " + address;
    }

    static String left(String name) {
        return NOTICE + name + " left";
    }

    static String disconnected(String name, String why) {
        return NOTICE + name + " was disconnected: " + why;
    }

    static String renamed(String from, String to) {
        return NOTICE + from + " is now " + to;
    }

    static String nameTaken(String name) {
        return NOTICE + "the name " + name + " is taken";
    }

    static String nameInvalid(String name) {
        return NOTICE + "invalid name '" + RecordFormat.escape(name) + "': use 1 to " + Nicknames.MAX_LENGTH
                + " letters, digits, '-', '_' or '.'";
    }

    static String nickUsage() {
        return NOTICE + "usage: /nick NAME";
    }

    static String sameName(String name) {
        return NOTICE + "you are already " + name;
    }

    static String whoHeader(int online) {
        return NOTICE + online + " online:";
    }

    /** One line of the {@code /who} answer: name, address, how long connected, and who asked. */
    static String whoEntry(String name, String address, Duration connected, boolean you) {
        return NOTICE + "  " + name + " " + address + " " + duration(connected) + (you ? " (you)" : "");
    }

    /** One line of {@code /who} in a room across instances: the instance each member is on, too. */
    static String whoEntry(String name, String address, String instance, Duration connected, boolean you) {
        return NOTICE + "  " + name + " " + address + " on " + instance + " " + duration(connected)
                + (you ? " (you)" : "");
    }

    static String linkLost() {
        return NOTICE + "cluster link lost";
    }

    static String linkRestored() {
        return NOTICE + "cluster link restored";
    }

    /** The link came back and another instance had taken this member's name meanwhile. */
    static String nameHeldElsewhere(String name) {
        return NOTICE + "the name " + name + " is also in use on another instance; /nick NAME to choose another";
    }

    static String help() {
        return NOTICE + "commands: /nick NAME (change your name), /who (who is online), /quit (leave), /help;"
                + " a line starting with // sends it with one / less; any other line goes to everyone";
    }

    static String unknownCommand(String command) {
        return NOTICE + "unknown command " + RecordFormat.escape(command) + " (/help lists the commands)";
    }

    static String bye() {
        return NOTICE + "bye";
    }

    static String lineTooLong(int maxLine) {
        return NOTICE + "line longer than " + maxLine + " bytes: disconnecting";
    }

    /** {@code 45s}, {@code 12m05s}, {@code 3h02m09s}: short, and sorting like the time it shows within a unit. */
    static String duration(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60);
    }
}
