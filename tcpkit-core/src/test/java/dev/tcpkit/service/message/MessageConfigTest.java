package dev.tcpkit.service.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The message services' rule lives in {@link MessageConfig}; the builder's {@code build()} applies it. */
final class MessageConfigTest {

    @Test
    void buildRefusesAMaxLineBelowOneWithoutOpeningTheOutputFile(@TempDir Path dir) {
        Path output = dir.resolve("log.jsonl");
        MessageService.Builder builder =
                MessageService.log().stdout(new StringWriter()).output(output).maxLine(0);
        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxLine must be >= 1: 0");
        assertThat(Files.exists(output)).isFalse();
    }

    @Test
    void aMaxLineOfOneIsAccepted() throws Exception {
        MessageService service =
                MessageService.reply().stdout(new StringWriter()).maxLine(1).build();
        service.close(Duration.ofSeconds(1));
        assertThat(service.lostRecords()).isZero();
    }
}
