package dev.tcpkit.service.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.service.chat.ChatInput.Kind;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The command parser, names and the durations of {@code /who}: plain functions, no sockets. */
final class ChatInputTest {

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(
            delimiter = '|',
            value = {
                "hello world|SAY|hello world",
                "'  /who'|SAY|'  /who'",
                "//usr/bin|SAY|/usr/bin",
                "/nick alice|NICK|alice",
                "'/NICK   小明  '|NICK|小明",
                "/nick|NICK|''",
                "'/nick a b'|NICK|a b",
                "/who|WHO|''",
                "/Who cares|WHO|''",
                "/help|HELP|''",
                "/quit|QUIT|''",
                "/frob x|UNKNOWN|/frob",
                "/|UNKNOWN|/",
                "/nickname x|UNKNOWN|/nickname",
            })
    void parsesLinesIntoWhatTheyAskFor(String line, Kind kind, String argument) {
        assertThat(ChatInput.parse(line)).isEqualTo(new ChatInput(kind, argument));
    }

    @Test
    void namesAreLettersAndDigitsOfAnyScriptAndAFewMarksUpToThirtyTwo() {
        assertThat(Nicknames.isValid("alice")).isTrue();
        assertThat(Nicknames.isValid("小明")).isTrue();
        assertThat(Nicknames.isValid("j.doe-2_x")).isTrue();
        assertThat(Nicknames.isValid("😀".repeat(32))).isFalse(); // a symbol, not a letter
        assertThat(Nicknames.isValid("名".repeat(32))).isTrue();
        assertThat(Nicknames.isValid("名".repeat(33))).isFalse();
        assertThat(Nicknames.isValid("")).isFalse();
        assertThat(Nicknames.isValid("a b")).isFalse();
        assertThat(Nicknames.isValid("<a>")).isFalse();
        assertThat(Nicknames.isValid("a\u001b")).isFalse();
        assertThat(Nicknames.key("Alice")).isEqualTo(Nicknames.key("ALICE"));
    }

    @Test
    void durationsAreShortAndStable() {
        assertThat(ChatText.duration(Duration.ofMillis(999))).isEqualTo("0s");
        assertThat(ChatText.duration(Duration.ofSeconds(45))).isEqualTo("45s");
        assertThat(ChatText.duration(Duration.ofSeconds(725))).isEqualTo("12m05s");
        assertThat(ChatText.duration(Duration.ofSeconds(3 * 3600 + 2 * 60 + 9))).isEqualTo("3h02m09s");
        assertThat(ChatText.duration(Duration.ofHours(100))).isEqualTo("100h00m00s");
        assertThat(ChatText.duration(Duration.ofSeconds(-5))).isEqualTo("0s");
    }
}
