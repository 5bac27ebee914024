package dev.tcpkit.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;
import java.util.Random;
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

    /**
     * A whole frame (a line, a datagram) is decoded in one go, by the String constructor: in every charset it must
     * give what the JDK's decoder, invalid bytes replaced, gives. Bytes drawn mostly from the high half, where the
     * multi-byte and invalid sequences are, plus the ASCII-only case for US-ASCII's own path.
     */
    @Test
    void decodesAWholeFrameAsTheJdkDecoderDoesInEveryCharset() throws Exception {
        Random random = new Random(20261206);
        for (Charset charset : Charset.availableCharsets().values()) {
            if (charset.newDecoder().isAutoDetecting()) {
                continue;
            }
            for (int i = 0; i < 50; i++) {
                byte[] bytes = new byte[random.nextInt(40)];
                for (int j = 0; j < bytes.length; j++) {
                    bytes[j] = (byte) (random.nextInt(4) == 0 ? random.nextInt(128) : 128 + random.nextInt(128));
                }
                String expected = charset.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE)
                        .decode(ByteBuffer.wrap(bytes))
                        .toString();
                ByteBuf frame = Unpooled.directBuffer().writeBytes(bytes);
                try {
                    assertThat(new TextDecoder(charset).decodeLast(frame))
                            .as("%s %s", charset.name(), Arrays.toString(bytes))
                            .isEqualTo(expected);
                } finally {
                    frame.release();
                }
            }
        }
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
