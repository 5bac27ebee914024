package dev.tcpkit.codec;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
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
    void handsLinesToASinkInPlaceAndPassesNoneOn() {
        List<String> lines = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(
                new LineFrameDecoder(8, (buffer, index, length) -> lines.add(buffer.toString(index, length, UTF_8))));
        ch.writeInbound(Unpooled.copiedBuffer("one\r\ntw", UTF_8));
        ch.writeInbound(Unpooled.copiedBuffer("o\n\nthree", UTF_8));
        assertThat(lines).containsExactly("one", "two", "");
        assertThat(ch.finish()).as("nothing passed on").isFalse();
        assertThat(lines).containsExactly("one", "two", "", "three");
    }

    @Test
    void aSinkGetsNoLineLongerThanTheMaximum() {
        List<String> lines = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(
                new LineFrameDecoder(4, (buffer, index, length) -> lines.add(buffer.toString(index, length, UTF_8))));
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.copiedBuffer("ok\n12345\nnext\n", UTF_8)))
                .isInstanceOf(TooLongFrameException.class);
        assertThat(lines).containsExactly("ok");
        assertThat(ch.finish()).isFalse();
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

    /** A handler after the decoder that holds it when it sees a given line, as the chat room does for a flooder. */
    private static final class HoldOn extends ChannelInboundHandlerAdapter {
        private final LineFrameDecoder decoder;
        private final String line;
        final List<String> seen = new ArrayList<>();
        final List<Object> events = new ArrayList<>();

        HoldOn(LineFrameDecoder decoder, String line) {
            this.decoder = decoder;
            this.line = line;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            String text = b.toString(UTF_8);
            b.release();
            seen.add(text);
            if (text.equals(line)) {
                decoder.hold();
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            events.add(seen.size() + ": " + evt.getClass().getSimpleName());
        }
    }

    @Test
    void heldByAHandlerFurtherOnItPassesNoFurtherLineOfTheSameReadUntilResumed() {
        LineFrameDecoder decoder = new LineFrameDecoder(64);
        HoldOn holder = new HoldOn(decoder, "b");
        EmbeddedChannel ch = new EmbeddedChannel(decoder, holder);
        ch.writeInbound(Unpooled.copiedBuffer("a\nb\nc\nd\ne", UTF_8));
        assertThat(holder.seen).containsExactly("a", "b");
        assertThat(decoder.isHeld()).isTrue();
        assertThat(ch.config().isAutoRead()).as("holding stops reading too").isFalse();

        decoder.resume();
        assertThat(holder.seen).containsExactly("a", "b", "c", "d");
        assertThat(decoder.isHeld()).isFalse();
        ch.writeInbound(Unpooled.copiedBuffer("\n", UTF_8));
        assertThat(holder.seen).containsExactly("a", "b", "c", "d", "e");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void readsAndTheEndOfInputThatArriveWhileHeldWaitAndComeAfterTheHeldLinesInOrder() {
        LineFrameDecoder decoder = new LineFrameDecoder(64);
        HoldOn holder = new HoldOn(decoder, "1");
        EmbeddedChannel ch = new EmbeddedChannel(decoder, holder);
        ch.writeInbound(Unpooled.copiedBuffer("1\n2\n", UTF_8));
        ch.config().setAutoRead(true); // someone else resumes reading meanwhile (a stalled stdout caught up, say)
        ch.writeInbound(Unpooled.copiedBuffer("3\n4", UTF_8)); // Netty may read once more after autoRead goes off
        assertThat(ch.config().isAutoRead())
                .as("still held: reading goes off again")
                .isFalse();
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(holder.seen).containsExactly("1");
        assertThat(holder.events).isEmpty();

        decoder.resume();
        // The unterminated last line is a line too, and the end comes after it.
        assertThat(holder.seen).containsExactly("1", "2", "3", "4");
        assertThat(holder.events).containsExactly("4: ChannelInputShutdownEvent");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void heldAgainWhileResumingItStopsAgainAndKeepsTheRest() {
        LineFrameDecoder decoder = new LineFrameDecoder(64);
        HoldOn holder = new HoldOn(decoder, "x");
        EmbeddedChannel ch = new EmbeddedChannel(decoder, holder);
        ch.writeInbound(Unpooled.copiedBuffer("x\n1\nx\n2\n", UTF_8));
        ch.writeInbound(Unpooled.copiedBuffer("x\n3\n", UTF_8));
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(holder.seen).containsExactly("x");
        decoder.resume();
        assertThat(holder.seen).containsExactly("x", "1", "x");
        decoder.resume();
        assertThat(holder.seen).containsExactly("x", "1", "x", "2", "x");
        assertThat(holder.events).isEmpty();
        decoder.resume();
        assertThat(holder.seen).containsExactly("x", "1", "x", "2", "x", "3");
        assertThat(holder.events).containsExactly("6: ChannelInputShutdownEvent");
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void whenTheConnectionGoesWhileHeldTheHeldLinesAreDroppedAndReleased() {
        LineFrameDecoder decoder = new LineFrameDecoder(64);
        HoldOn holder = new HoldOn(decoder, "a");
        EmbeddedChannel ch = new EmbeddedChannel(decoder, holder);
        ch.writeInbound(Unpooled.copiedBuffer("a\nb\nc\n", UTF_8));
        ch.writeInbound(Unpooled.copiedBuffer("d\ne", UTF_8));
        assertThat(ch.finish()).isFalse(); // closes: channelInactive
        assertThat(holder.seen).containsExactly("a");
        // Paranoid leak detection (the build's setting) fails the class if a held read was not released.
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
