package dev.tcpkit.output;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tcpkit.codec.TextDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte path gives the very bytes the text path gives: decode, format, escape, encode in UTF-8. */
final class RecordEncoderTest {
    private static final String CLIENT = "127.0.0.1:50007";
    private static final long TIME = 1_764_979_200_123L;

    @Test
    void encodesPrintableAsciiAndUtf8AsTheyCame() {
        byte[] encoded = encode(UTF_8, bytes("hello"), "你好 😀 é".getBytes(UTF_8));

        assertThat(new String(encoded, UTF_8)).isEqualTo("""
                        2025-12-06T00:00:00.123Z 127.0.0.1:50007 >>> hello
                        2025-12-06T00:00:00.123Z 127.0.0.1:50007 >>> 你好 😀 é
                        """);
    }

    @Test
    void escapesAndReplacesExactlyAsTheTextPath() {
        List<byte[]> lines = List.of(
                new byte[0],
                bytes("tab\there"),
                bytes("del\u007f"),
                bytes("nul\u0000end"),
                hex("c280"), // U+0080, a C1 control
                hex("c29f41"), // U+009F
                hex("c2a0"), // U+00A0, printable
                hex("e280a8"), // U+2028
                hex("e280a9"), // U+2029
                hex("e280aa"), // U+202A, printable
                hex("c0af"), // overlong '/'
                hex("e08080"), // overlong
                hex("eda080"), // a surrogate
                hex("f4908080"), // above U+10FFFF
                hex("f0908080"), // U+10000
                hex("e4bd"), // a cut character at the end
                hex("e441"), // a cut character before ASCII
                hex("ff41fe"),
                hex("80"));

        for (byte[] line : lines) {
            assertThat(encode(UTF_8, line)).as(HexFormat.of().formatHex(line)).isEqualTo(textPath(UTF_8, line));
            assertThat(encode(US_ASCII, line))
                    .as("ASCII " + HexFormat.of().formatHex(line))
                    .isEqualTo(textPath(US_ASCII, line));
        }
    }

    @Test
    void randomBytesGiveTheBytesOfTheTextPath() {
        Random random = new Random(17);
        byte[] alphabet = hex("41617a7e200009097f80bfc2c3dfe0e2e4edeff0f4f5ff"); // boundaries of each kind of byte
        for (int i = 0; i < 20_000; i++) {
            boolean longLine = i % 2 == 1; // past 8 bytes: mostly printable ASCII, an odd byte here and there
            byte[] line = new byte[random.nextInt(longLine ? 40 : 12)];
            for (int j = 0; j < line.length; j++) {
                int kind = random.nextInt(longLine ? 40 : 4);
                line[j] = kind == 0
                        ? (byte) random.nextInt(256)
                        : kind < 4 || !longLine
                                ? alphabet[random.nextInt(alphabet.length)]
                                : (byte) (0x20 + random.nextInt(95));
            }
            Charset charset = i % 5 == 0 ? US_ASCII : UTF_8;
            assertThat(encode(charset, line))
                    .as(charset + " " + HexFormat.of().formatHex(line))
                    .isEqualTo(textPath(charset, line));
        }
    }

    @Test
    void takeHandsOverTheBurstAndStartsAfresh() {
        RecordEncoder encoder = new RecordEncoder(CLIENT, UTF_8);
        byte[] longLine = new byte[10_000];
        Arrays.fill(longLine, (byte) 'x');
        add(encoder, bytes("a"));
        add(encoder, longLine);
        EncodedLines first = encoder.take();
        add(encoder, bytes("b"));
        EncodedLines second = encoder.take();

        assertThat(first.lines()).isEqualTo(2);
        assertThat(first.records()).isEqualTo(2);
        assertThat(second.lines()).isEqualTo(1);
        assertThat(new String(second.bytes(), 0, second.length(), UTF_8)).endsWith(" >>> b\n");
        assertThat(new String(first.bytes(), 0, first.length(), UTF_8))
                .endsWith("xxx\n")
                .contains(" >>> a\n");
        assertThat(encoder.lines()).isZero();
    }

    @Test
    void refusesACharsetItCannotCopy() {
        assertThatThrownBy(() -> new RecordEncoder(CLIENT, Charset.forName("GBK")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lines must be UTF-8 or US-ASCII: GBK");
    }

    private static byte[] encode(Charset charset, byte[]... lines) {
        RecordEncoder encoder = new RecordEncoder(CLIENT, charset);
        for (byte[] line : lines) {
            add(encoder, line);
        }
        EncodedLines encoded = encoder.take();
        assertThat(encoded.lines()).isEqualTo(lines.length);
        return Arrays.copyOf(encoded.bytes(), encoded.length());
    }

    /** As the framing stage hands it over: in a direct read buffer, not at its start. */
    private static void add(RecordEncoder encoder, byte[] line) {
        ByteBuf read =
                Unpooled.directBuffer(line.length + 8).writeBytes(bytes("xyz")).writeBytes(line);
        try {
            encoder.add(TIME, read, 3, line.length);
        } finally {
            read.release();
        }
    }

    /** What the decoding path prints for the line: {@code TextMessageDecoder}, the record, stdout's UTF-8 encoder. */
    private static byte[] textPath(Charset charset, byte[] line) {
        String text = new TextDecoder(charset).decodeLast(Unpooled.wrappedBuffer(line));
        return (RecordFormat.line(new MessageRecord(TIME, CLIENT, text, line.length)) + "\n").getBytes(UTF_8);
    }

    private static byte[] bytes(String ascii) {
        return ascii.getBytes(US_ASCII);
    }

    private static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
