package dev.tcpkit.benchmarks;

import dev.tcpkit.codec.TextDecoder;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
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
 * Streaming charset decoding of 256 KiB of mixed Chinese and ASCII text, cut into chunks as reads deliver them (so
 * characters are split across chunks): {@link TextDecoder} against the limit, the JDK's {@link CharsetDecoder} on the
 * whole text at once.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TextDecoderBenchmark {
    private static final int BYTES = 256 * 1024;
    private static final String TEXT = "你好服务端,我是客户端小明! hello from the client, message 12345\n";

    @Param({"UTF-8", "GBK"})
    String charset;

    /** Bytes per read. */
    @Param({"1024", "16384"})
    int chunk;

    private ByteBuf data;
    private ByteBuffer whole;
    private ByteBuffer wholeHeap;
    private CharsetDecoder jdk;

    @Setup
    public void setUp() {
        Charset cs = Charset.forName(charset);
        byte[] line = TEXT.getBytes(cs);
        data = Unpooled.directBuffer(BYTES);
        while (data.writableBytes() >= line.length) {
            data.writeBytes(line);
        }
        whole = data.nioBuffer();
        byte[] bytes = new byte[data.readableBytes()];
        data.getBytes(0, bytes);
        wholeHeap = ByteBuffer.wrap(bytes);
        jdk = cs.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    @TearDown
    public void tearDown() {
        data.release();
    }

    @Benchmark
    public void textDecoderStreaming(Blackhole bh) {
        TextDecoder decoder = new TextDecoder(Charset.forName(charset));
        int end = data.writerIndex();
        for (int at = 0; at < end; at += chunk) {
            bh.consume(decoder.decode(data.slice(at, Math.min(chunk, end - at))));
        }
        bh.consume(decoder.decodeLast(Unpooled.EMPTY_BUFFER));
    }

    /** The JDK decoder on the same direct memory the reads deliver. */
    @Benchmark
    public CharBuffer jdkDecoderWholeDirectBuffer() throws CharacterCodingException {
        return jdk.decode(whole.duplicate());
    }

    /** The limit: the JDK decoder on one heap buffer (its fastest path) holding everything at once. */
    @Benchmark
    public CharBuffer jdkDecoderWholeHeapBuffer() throws CharacterCodingException {
        return jdk.decode(wholeHeap.duplicate());
    }
}
