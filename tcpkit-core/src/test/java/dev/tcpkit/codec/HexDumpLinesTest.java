package dev.tcpkit.codec;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link HexDumpLines} against the real {@code xxd} (Debian's package {@code xxd}) on the same bytes. */
@Timeout(60)
final class HexDumpLinesTest {
    @TempDir
    Path dir;

    @Test
    void matchesXxdOnRandomBytesWithAPartialLastLineFromAnyOffset() throws Exception {
        Random random = new Random(42);
        long[] offsets = {0, 17, 0xfffffff0L, 0x123456789L};
        int[] lengths = {1, 15, 16, 17, 100, 4099};
        for (long offset : offsets) {
            for (int length : lengths) {
                byte[] bytes = new byte[length];
                random.nextBytes(bytes);
                assertThat(dump(bytes, offset))
                        .as("%d bytes from offset %d", length, offset)
                        .isEqualTo(xxd(bytes, offset));
            }
        }
    }

    @Test
    void showsPrintableAsciiAndADotForEveryOtherByte() throws Exception {
        byte[] bytes = new byte[256];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) i;
        }
        String dump = dump(bytes, 0);
        assertThat(dump).isEqualTo(xxd(bytes, 0));
        assertThat(dump.lines().toList().get(2))
                .isEqualTo("00000020: 2021 2223 2425 2627 2829 2a2b 2c2d 2e2f   !\"#$%&'()*+,-./");
    }

    @Test
    void readsTheBufferInPlaceFromItsReaderIndexWithoutMovingIt() throws Exception {
        ByteBuf buf = Unpooled.buffer().writeBytes("xxHello, world! 0123456789".getBytes(US_ASCII));
        try {
            buf.readerIndex(2);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            new HexDumpLines().append(buf, 5, out);
            assertThat(out.toString(US_ASCII))
                    .isEqualTo(xxd("Hello, world! 0123456789".getBytes(US_ASCII), 5))
                    .startsWith("00000005: 4865 6c6c 6f2c 2077 6f72 6c64 2120 3031  Hello, world! 01\n");
            assertThat(buf.readerIndex()).isEqualTo(2);
        } finally {
            buf.release();
        }
    }

    @Test
    void anEmptyBufferHasNoLines() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new HexDumpLines().append(Unpooled.EMPTY_BUFFER, 0, out);
        assertThat(out.size()).isZero();
    }

    private static String dump(byte[] bytes, long offset) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new HexDumpLines().append(Unpooled.wrappedBuffer(bytes), offset, out);
        return out.toString(US_ASCII);
    }

    private String xxd(byte[] bytes, long offset) throws IOException, InterruptedException {
        Path in = Files.write(dir.resolve("bytes"), bytes);
        Process xxd;
        try {
            xxd = new ProcessBuilder("xxd", "-o", Long.toString(offset), in.toString())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException notInstalled) {
            Assumptions.abort("xxd is not installed (Debian package xxd): " + notInstalled.getMessage());
            throw notInstalled;
        }
        try (InputStream out = xxd.getInputStream()) {
            String dump = new String(out.readAllBytes(), US_ASCII);
            assertThat(xxd.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(xxd.exitValue()).as(dump).isZero();
            return dump;
        } finally {
            xxd.destroyForcibly();
        }
    }
}
