package dev.tcpkit.benchmarks;

import dev.tcpkit.codec.TextDecoder;
import dev.tcpkit.output.EncodedLines;
import dev.tcpkit.output.MessageRecord;
import dev.tcpkit.output.RecordEncoder;
import dev.tcpkit.output.RecordFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Record lines of one burst of 1,024 lines (as {@code serve log --framing line} gets them: slices of a direct read
 * buffer), made three ways: {@link RecordEncoder}, the byte path; the text path (decode to a {@code String}, format,
 * encode to UTF-8 through a {@code Writer}); and the limit, {@link System#arraycopy} of each finished record line.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RecordFormatBenchmark {
    private static final int LINES = 1024;
    private static final String CLIENT = "127.0.0.1:50007";
    private static final long TIME = 1_764_979_200_123L;

    /** The line's text: 63 bytes of ASCII, or 63 bytes of Chinese and ASCII in UTF-8. */
    @Param({"ascii", "utf8"})
    String text;

    private ByteBuf read;
    private final ByteBuf[] lines = new ByteBuf[LINES];
    /** The finished record lines, for the limit. */
    private final byte[][] records = new byte[LINES][];

    private byte[] copied;
    private Writer stdout;

    @Setup
    public void setUp() {
        String line = text.equals("ascii") ? "x".repeat(63) : "日志行".repeat(4) + "x".repeat(27);
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        read = Unpooled.directBuffer(LINES * (bytes.length + 1));
        for (int i = 0; i < LINES; i++) {
            lines[i] = read.slice(read.writerIndex(), bytes.length);
            read.writeBytes(bytes).writeByte('\n');
            records[i] = (RecordFormat.line(new MessageRecord(TIME, CLIENT, line, bytes.length)) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        }
        copied = new byte[LINES * records[0].length];
        stdout = new OutputStreamWriter(OutputStream.nullOutputStream(), StandardCharsets.UTF_8);
    }

    @TearDown
    public void tearDown() {
        read.release();
    }

    @Benchmark
    public EncodedLines recordEncoder() {
        RecordEncoder encoder = new RecordEncoder(CLIENT, StandardCharsets.UTF_8);
        for (ByteBuf line : lines) {
            encoder.add(TIME, line, line.readerIndex(), line.readableBytes());
        }
        return encoder.take();
    }

    /** What the path before {@link RecordEncoder} did per line, on the event loop and the writer thread together. */
    @Benchmark
    public void textPath(Blackhole bh) throws IOException {
        TextDecoder decoder = new TextDecoder(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(256);
        char[] chars = new char[256];
        for (ByteBuf line : lines) {
            MessageRecord record =
                    new MessageRecord(TIME, CLIENT, decoder.decodeLast(line.duplicate()), line.readableBytes());
            sb.setLength(0);
            RecordFormat.appendLine(record, sb).append('\n');
            sb.getChars(0, sb.length(), chars, 0);
            stdout.write(chars, 0, sb.length());
        }
        stdout.flush();
        bh.consume(chars);
    }

    @Benchmark
    public byte[] limitArraycopy() {
        int at = 0;
        for (byte[] record : records) {
            System.arraycopy(record, 0, copied, at, record.length);
            at += record.length;
        }
        return copied;
    }
}
