package dev.tcpkit.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.Charset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

final class TextDecoderTest {
    private static final Charset GBK = Charset.forName("GBK");

    @Test
    void decodesAUtf8CharacterSplitAcrossChunksWithTheChunkThatCompletesIt() {
        TextDecoder decoder = new TextDecoder(UTF_8);
        byte[] bytes = "a你好".getBytes(UTF_8); // a + 3 + 3 bytes
        assertThat(decode(decoder, Arrays.copyOfRange(bytes, 0, 2))).isEqualTo("a");
        assertThat(decoder.hasPending()).isTrue();
        assertThat(decode(decoder, Arrays.copyOfRange(bytes, 2, 5))).isEqualTo("你");
        assertThat(decode(decoder, Arrays.copyOfRange(bytes, 5, 7))).isEqualTo("好");
        assertThat(decoder.hasPending()).isFalse();
    }

    @Test
    void decodesAGbkCharacterSplitAcrossChunks() {
        TextDecoder decoder = new TextDecoder(GBK);
        byte[] bytes = "你好".getBytes(GBK); // 2 + 2 bytes
        assertThat(decode(decoder, Arrays.copyOfRange(bytes, 0, 1))).isEmpty();
        assertThat(decode(decoder, Arrays.copyOfRange(bytes, 1, 3))).isEqualTo("你");
        assertThat(decode(decoder, Arrays.copyOfRange(bytes, 3, 4))).isEqualTo("好");
    }

    @Test
    void decodesEveryByteSplitOfAMixedText() {
        String text = "ok, 问题正在处理中... 𝄞 é";
        byte[] bytes = text.getBytes(UTF_8);
        for (int cut = 0; cut <= bytes.length; cut++) {
            TextDecoder decoder = new TextDecoder(UTF_8);
            String joined = decode(decoder, Arrays.copyOfRange(bytes, 0, cut))
                    + decode(decoder, Arrays.copyOfRange(bytes, cut, bytes.length));
            assertThat(joined).as("cut at %d", cut).isEqualTo(text);
        }
    }

    @Test
    void showsInvalidBytesAsReplacementCharacters() {
        TextDecoder decoder = new TextDecoder(UTF_8);
        assertThat(decode(decoder, new byte[] {'a', (byte) 0xff, (byte) 0xfe, 'b'}))
                .isEqualTo("a\uFFFD\uFFFDb");
    }

    @Test
    void anIncompleteCharacterAtTheEndOfTheStreamBecomesAReplacementCharacter() {
        TextDecoder decoder = new TextDecoder(UTF_8);
        byte[] ni = "你".getBytes(UTF_8);
        assertThat(decode(decoder, new byte[] {'x', ni[0], ni[1]})).isEqualTo("x");
        ByteBuf empty = Unpooled.EMPTY_BUFFER;
        assertThat(decoder.decodeLast(empty)).isEqualTo("\uFFFD");
        assertThat(decoder.hasPending()).isFalse();
    }

    @Test
    void decodesLatin1ByteForByte() {
        TextDecoder decoder = new TextDecoder(Charset.forName("ISO-8859-1"));
        assertThat(decode(decoder, new byte[] {(byte) 0xe9, 'a'})).isEqualTo("éa");
    }

    private static String decode(TextDecoder decoder, byte[] chunk) {
        ByteBuf buf = Unpooled.wrappedBuffer(chunk);
        try {
            return decoder.decode(buf);
        } finally {
            buf.release();
        }
    }

    @Test
    void refusesACharsetThatGuessesTheEncoding() {
        assertThatThrownBy(() -> new TextDecoder(Charset.forName("x-JISAutoDetect")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("x-JISAutoDetect guesses the encoding");
    }
}
