package dev.tcpkit.service.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The chat service's rules live in {@link ChatConfig}; the builder's {@code build()} is where they are applied. */
final class ChatConfigTest {

    static Stream<Arguments> outOfRange() {
        return Stream.of(
                Arguments.of((UnaryOperator<ChatService.Builder>) b -> b.maxLine(0), "maxLine must be >= 1: 0"),
                Arguments.of((UnaryOperator<ChatService.Builder>) b -> b.maxQueue(0), "maxQueue must be >= 1: 0"),
                Arguments.of(
                        (UnaryOperator<ChatService.Builder>) b -> b.sendTimeout(Duration.ZERO),
                        "sendTimeout must be > 0: PT0S"),
                Arguments.of(
                        (UnaryOperator<ChatService.Builder>) b -> b.sendTimeout(Duration.ofSeconds(-1)),
                        "sendTimeout must be > 0: PT-1S"),
                Arguments.of(
                        (UnaryOperator<ChatService.Builder>) b -> b.maxLineRate(-1), "maxLineRate must be >= 0: -1"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("outOfRange")
    void buildRefusesAValueOutOfRangeWithoutOpeningTheOutputFile(
            UnaryOperator<ChatService.Builder> setting, String message, @TempDir Path dir) {
        Path output = dir.resolve("chat.jsonl");
        ChatService.Builder builder =
                setting.apply(ChatService.builder().stdout(new StringWriter()).output(output));
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
        assertThat(Files.exists(output)).isFalse();
    }

    @Test
    void theSmallestValuesAreAccepted() throws Exception {
        ChatService service = ChatService.builder()
                .stdout(new StringWriter())
                .maxLine(1)
                .maxQueue(1)
                .sendTimeout(Duration.ofMillis(1))
                .maxLineRate(0)
                .build();
        service.close(Duration.ofSeconds(1));
        assertThat(service.lostRecords()).isZero();
    }
}
