package dev.tcpkit.benchmarks;

import dev.tcpkit.codec.LineFrameDecoder;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
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
 * Line framing of 256 KiB of lines arriving in 16 KiB reads: {@link LineFrameDecoder} in a pipeline (cumulation, a
 * retained slice per line, each passed on and released) against the limit, a bare scan for {@code \n} with {@link
 * ByteBuf#indexOf} that produces nothing.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LineFrameDecoderBenchmark {
    private static final int BYTES = 256 * 1024;

    /** Line length in bytes, terminator included. */
    @Param({"16", "80", "1024"})
    int lineLength;

    private static final int READ = 16 * 1024;

    private ByteBuf data;
    private EmbeddedChannel channel;

    @Setup
    public void setUp() {
        byte[] line = ("x".repeat(lineLength - 1) + "\n").getBytes(StandardCharsets.US_ASCII);
        data = Unpooled.directBuffer(BYTES);
        while (data.writableBytes() >= line.length) {
            data.writeBytes(line);
        }
        channel = new EmbeddedChannel(new LineFrameDecoder(64 * 1024));
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
        data.release();
    }

    @Benchmark
    public void lineFrameDecoder(Blackhole bh) {
        int end = data.writerIndex();
        for (int at = 0; at < end; at += READ) {
            channel.writeInbound(data.retainedSlice(at, Math.min(READ, end - at)));
            Object frame;
            while ((frame = channel.readInbound()) != null) {
                bh.consume(frame);
                ReferenceCountUtil.release(frame);
            }
        }
    }

    @Benchmark
    public void scanForNewlinesOnly(Blackhole bh) {
        ByteBuf in = data;
        int from = in.readerIndex();
        int end = in.writerIndex();
        int lines = 0;
        while (from < end) {
            int eol = in.indexOf(from, end, (byte) '\n');
            if (eol < 0) {
                break;
            }
            lines++;
            from = eol + 1;
        }
        bh.consume(lines);
    }
}
