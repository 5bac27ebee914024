package dev.tcpkit.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tcpkit.testing.FuzzInput;
import dev.tcpkit.testing.LeakRecorder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Line framing with {@code --max-line}, fuzzed: for any bytes cut into any chunks, the lines that reach the service
 * are exactly those a plain reference split finds (at {@code \n}, without {@code \n} or {@code \r\n}; an
 * unterminated last line too), up to the first line longer than the maximum, which closes the connection with a
 * {@link TooLongFrameException} and lets nothing after it through. No buffer is left unreleased.
 *
 * <p>Input layout: see {@link FuzzInput}; byte 0 sets the maximum line length, 1..64. Seeds in {@code
 * LineFrameDecoderFuzzTestInputs/}; fuzzing mode: see the README.
 */
final class LineFrameDecoderFuzzTest {

    @FuzzTest
    void deliversTheReferenceLinesForAnyChunkingAndStopsAtTheFirstTooLong(byte[] bytes) {
        FuzzInput input = FuzzInput.parse(bytes);
        int maxLine = 1 + (input.parameter() & 0x3f);
        Reference expected = Reference.of(input.payload(), maxLine);

        Recorder recorder = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(new LineFrameDecoder(maxLine), recorder);
        List<ByteBuf> written = new ArrayList<>();
        for (byte[] chunk : input.chunks()) {
            if (!ch.isOpen()) {
                break;
            }
            ByteBuf buf = Unpooled.buffer(chunk.length).writeBytes(chunk); // never the shared empty buffer
            written.add(buf);
            ch.writeInbound(buf);
        }
        ch.finishAndReleaseAll();

        assertThat(recorder.lines).containsExactlyElementsOf(expected.lines);
        assertThat(recorder.failure).isEqualTo(expected.tooLong);
        assertThat(written).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
        assertThat(LeakRecorder.drain()).isEmpty();
    }

    /** What a service behind the decoder sees; closes on a too-long line, as tcpkit's services do. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        final List<String> lines = new ArrayList<>();
        boolean failure;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf frame = (ByteBuf) msg;
            lines.add(hex(ByteBufUtil.getBytes(frame)));
            frame.release();
        }

        @Override
        @SuppressWarnings("FutureReturnValueIgnored") // EmbeddedChannel closes at once
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            assertThat(cause).isInstanceOf(TooLongFrameException.class);
            assertThat(failure).as("only one failure").isFalse();
            failure = true;
            ctx.close();
        }
    }

    /** The lines of the whole input, split the obvious way. */
    private record Reference(List<String> lines, boolean tooLong) {
        static Reference of(byte[] payload, int maxLine) {
            List<String> lines = new ArrayList<>();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (byte b : payload) {
                if (b != '\n') {
                    line.write(b);
                    continue;
                }
                byte[] content = line.toByteArray();
                if (content.length > 0 && content[content.length - 1] == '\r') {
                    content = Arrays.copyOf(content, content.length - 1);
                }
                if (content.length > maxLine) {
                    return new Reference(lines, true);
                }
                lines.add(hex(content));
                line.reset();
            }
            if (line.size() > 0) {
                byte[] last = line.toByteArray();
                if (last.length > maxLine) {
                    return new Reference(lines, true);
                }
                lines.add(hex(last));
            }
            return new Reference(lines, false);
        }
    }

    private static String hex(byte[] bytes) {
        return ByteBufUtil.hexDump(bytes);
    }
}
