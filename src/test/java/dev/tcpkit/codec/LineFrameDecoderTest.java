package dev.tcpkit.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

final class LineFrameDecoderTest {

    @Test
    void splitsLinesAndStripsLfAndCrLf() {
        EmbeddedChannel ch = new EmbeddedChannel(new LineFrameDecoder(64));
        ch.writeInbound(Unpooled.copiedBuffer("one\r\ntw", UTF_8));
        ch.writeInbound(Unpooled.copiedBuffer("o\n\nthree", UTF_8));
        assertThat(readAll(ch)).containsExactly("one", "two", "");
        assertThat(ch.finish()).isTrue();
        assertThat(readAll(ch)).containsExactly("three");
    }

    @Test
    void failsFastOnALineLongerThanTheMaximum() {
        EmbeddedChannel ch = new EmbeddedChannel(new LineFrameDecoder(8));
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.copiedBuffer("123456789", UTF_8)))
                .isInstanceOf(TooLongFrameException.class);
        ch.finishAndReleaseAll();
    }

    @Test
    void acceptsALineOfExactlyTheMaximum() {
        EmbeddedChannel ch = new EmbeddedChannel(new LineFrameDecoder(8));
        ch.writeInbound(Unpooled.copiedBuffer("12345678\n", UTF_8));
        assertThat(readAll(ch)).containsExactly("12345678");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void acceptsALineOfExactlyTheMaximumWhenAReadEndsBetweenCrAndLf() {
        EmbeddedChannel ch = new EmbeddedChannel(new LineFrameDecoder(8));
        ch.writeInbound(Unpooled.copiedBuffer("12345678\r", UTF_8));
        ch.writeInbound(Unpooled.copiedBuffer("\n", UTF_8));
        assertThat(readAll(ch)).containsExactly("12345678");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void passesNothingAfterALineLongerThanTheMaximum() {
        EmbeddedChannel ch = new EmbeddedChannel(new LineFrameDecoder(4));
        assertThatThrownBy(() ->
                        ch.writeInbound(Unpooled.copiedBuffer("ok\nway too long\nafter\nand a long one\n", UTF_8)))
                .isInstanceOf(TooLongFrameException.class)
                .hasMessage("line of 12 bytes, longer than the maximum of 4");
        assertThat(readAll(ch)).containsExactly("ok");
        ch.writeInbound(Unpooled.copiedBuffer("more\n", UTF_8)); // no second failure, no line
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void rejectsANonPositiveMaximum() {
        assertThatThrownBy(() -> new LineFrameDecoder(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxLine must be >= 1: 0");
    }

    private static List<String> readAll(EmbeddedChannel ch) {
        List<String> lines = new ArrayList<>();
        ByteBuf b;
        while ((b = ch.readInbound()) != null) {
            lines.add(b.toString(UTF_8));
            b.release();
        }
        return lines;
    }
}
