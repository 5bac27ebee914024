package dev.tcpkit.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tcpkit.testing.FuzzInput;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.List;

/**
 * The streaming charset decoding, fuzzed over every charset this JDK has: whatever the bytes and wherever the reads
 * cut them, the text decoded chunk by chunk equals what the JDK's own decoder makes of all the bytes at once
 * (invalid ones as U+FFFD), the bytes held back between chunks stay a handful, and the chunks are left for their
 * owner to release.
 *
 * <p>Input layout: see {@link FuzzInput}; byte 0 picks the charset (its index in {@link
 * Charset#availableCharsets()}, modulo their number). Fuzzing found that {@code x-JISAutoDetect} decodes the same
 * bytes differently depending on the cuts (it guesses from what it has seen): {@link TextDecoder} refuses a charset
 * that guesses, which the finding, kept as {@code crash-4c06...}, now checks. Chunks alternate between plain and composite buffers.
 */
final class TextDecoderFuzzTest {
    private static final List<Charset> CHARSETS =
            List.copyOf(Charset.availableCharsets().values());
    /** Longer than any character of any charset, escape sequences of the stateful ones included. */
    private static final int MAX_PENDING = 16;

    @FuzzTest
    void decodesAnyChunkingAsTheJdkDecodesTheWhole(byte[] bytes) throws CharacterCodingException {
        FuzzInput input = FuzzInput.parse(bytes);
        Charset charset = CHARSETS.get(input.parameter() % CHARSETS.size());
        if (charset.newDecoder().isAutoDetecting()) {
            assertThatThrownBy(() -> new TextDecoder(charset)).isInstanceOf(IllegalArgumentException.class);
            return;
        }

        TextDecoder decoder = new TextDecoder(charset);
        StringBuilder streamed = new StringBuilder();
        boolean composite = false;
        for (byte[] chunk : input.chunks()) {
            ByteBuf buf = composite ? twoParts(chunk) : Unpooled.wrappedBuffer(chunk);
            composite = !composite;
            streamed.append(decoder.decode(buf));
            assertThat(buf.refCnt()).as("the caller releases the chunk").isOne();
            buf.release();
            assertThat(decoder.pendingBytes()).as(charset.name()).isLessThanOrEqualTo(MAX_PENDING);
        }
        streamed.append(decoder.decodeLast(Unpooled.EMPTY_BUFFER));

        String whole = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE)
                .decode(ByteBuffer.wrap(input.payload()))
                .toString();
        assertThat(streamed.toString()).as(charset.name()).isEqualTo(whole);
        assertThat(decoder.hasPending()).isFalse();
    }

    /** The chunk as a buffer of two components: the decoder must not assume one NIO buffer. */
    private static ByteBuf twoParts(byte[] chunk) {
        int half = chunk.length / 2;
        CompositeByteBuf buf = Unpooled.compositeBuffer();
        buf.addComponent(true, Unpooled.wrappedBuffer(chunk, 0, half));
        buf.addComponent(true, Unpooled.wrappedBuffer(chunk, half, chunk.length - half));
        return buf;
    }
}
