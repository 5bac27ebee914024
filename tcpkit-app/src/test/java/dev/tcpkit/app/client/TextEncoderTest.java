package dev.tcpkit.app.client;

import static java.nio.charset.StandardCharsets.UTF_16;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import org.junit.jupiter.api.Test;

final class TextEncoderTest {
    private static final Charset GBK = Charset.forName("GBK");

    @Test
    void writesTheUtf16ByteOrderMarkOnceForTheWholeStream() {
        TextEncoder encoder = new TextEncoder(UTF_16);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(encoder.encode("first line\n"));
        stream.writeBytes(encoder.encode("second line\n"));
        stream.writeBytes(encoder.encodeLast(""));
        assertThat(stream.toByteArray()).isEqualTo("first line\nsecond line\n".getBytes(UTF_16));
    }

    @Test
    void encodesASurrogatePairSplitAcrossChunksWithTheChunkThatCompletesIt() {
        String emoji = "😀";
        TextEncoder encoder = new TextEncoder(UTF_8);
        assertThat(encoder.encode("a" + emoji.charAt(0))).isEqualTo("a".getBytes(UTF_8));
        assertThat(encoder.encode(emoji.charAt(1) + "b")).isEqualTo((emoji + "b").getBytes(UTF_8));
    }

    @Test
    void aHighSurrogateLeftAloneAtTheEndBecomesTheReplacement() {
        TextEncoder encoder = new TextEncoder(UTF_8);
        assertThat(encoder.encode("x\uD83D")).isEqualTo("x".getBytes(UTF_8));
        assertThat(encoder.encodeLast("")).isEqualTo("?".getBytes(UTF_8));
    }

    @Test
    void replacesCharactersTheCharsetCannotEncode() {
        TextEncoder encoder = new TextEncoder(GBK);
        assertThat(encoder.encodeLast("你😀好")).isEqualTo("你?好".getBytes(GBK));
    }

    @Test
    void encodesALongChunkWhole() {
        String text = "问题正在处理中 𝄞 ".repeat(10_000);
        assertThat(new TextEncoder(GBK).encodeLast(text)).isEqualTo(text.getBytes(GBK));
        assertThat(new TextEncoder(UTF_8).encodeLast(text)).isEqualTo(text.getBytes(UTF_8));
    }
}
