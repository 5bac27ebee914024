package dev.tcpkit.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

final class TextMessageDecoderTest {
    private static final Charset GBK = Charset.forName("GBK");

    @Test
    void rawFramingCarriesASplitCharacterAndItsBytesToTheReadThatCompletesIt() {
        EmbeddedChannel ch = new EmbeddedChannel(new TextMessageDecoder(GBK, Framing.RAW));
        byte[] shi = "世".getBytes(GBK);
        ch.writeInbound(Unpooled.wrappedBuffer(concat("你好".getBytes(GBK), Arrays.copyOf(shi, 1))));
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(shi, 1, 2)));
        assertThat(next(ch)).isEqualTo(new TextMessage("你好", 5));
        assertThat(next(ch)).isEqualTo(new TextMessage("世", 1));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void rawFramingYieldsNothingForAReadHoldingOnlyPartOfACharacter() {
        EmbeddedChannel ch = new EmbeddedChannel(new TextMessageDecoder(StandardCharsets.UTF_8, Framing.RAW));
        byte[] ni = "你".getBytes(StandardCharsets.UTF_8);
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOf(ni, 2)));
        assertThat(next(ch)).isNull();
        ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(ni, 2, 3)));
        assertThat(next(ch)).isEqualTo(new TextMessage("你", 3));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void lineFramingDecodesEachLineWholeAndAnIncompleteEndAsReplacement() {
        EmbeddedChannel ch = new EmbeddedChannel(new TextMessageDecoder(GBK, Framing.LINE));
        byte[] shi = "世".getBytes(GBK);
        ch.writeInbound(Unpooled.wrappedBuffer("你好".getBytes(GBK)));
        ch.writeInbound(Unpooled.wrappedBuffer(concat("x".getBytes(GBK), Arrays.copyOf(shi, 1))));
        assertThat(next(ch)).isEqualTo(new TextMessage("你好", 4));
        assertThat(next(ch)).isEqualTo(new TextMessage("x\uFFFD", 2));
        assertThat(ch.finish()).isFalse();
    }

    @Test
    void endOfInputTurnsAnIncompleteLastCharacterIntoALastMessageBeforeTheEvent() {
        EmbeddedChannel ch = new EmbeddedChannel(new TextMessageDecoder(StandardCharsets.UTF_8, Framing.RAW));
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xe4, (byte) 0xbd}));
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(next(ch)).isEqualTo(new TextMessage("\uFFFD", 2));
        assertThat(ch.finish()).isFalse();
    }

    private static @Nullable TextMessage next(EmbeddedChannel ch) {
        return ch.readInbound();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
