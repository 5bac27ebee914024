package dev.tcpkit.app.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;

/**
 * The bytes every connection sends, and what every echoed byte is compared with.
 *
 * <p>Connection {@code c}'s byte stream is {@code table[(seed(c) + offset) mod LENGTH]}: a table of pseudo-random
 * bytes (xorshift64*) whose length is prime, so consecutive messages and different connections see different bytes.
 * These are the same bytes as the C load generator of the benchmark harness sends. The table is followed by a copy of
 * its first {@link #MAX_PIECE} bytes, so a piece of up to that length starting anywhere in the table is contiguous:
 * sending is a slice of it (no copy) and checking an echo is one vectorised comparison against it.
 *
 * <p>One instance per event loop: slices retain the table, and a table shared between threads would make every
 * send contend on its reference count. Not thread-safe.
 */
final class EchoPattern {
    /** Table length: a prime near 1 MiB. */
    static final int LENGTH = 1_048_573;
    /** The longest piece one slice or one comparison covers. */
    static final int MAX_PIECE = 256 * 1024;

    /** Pooled, so that each slice is a recycled object rather than garbage. */
    private final ByteBuf table;
    /** A view of the table for comparisons; its position and limit are set for each one. */
    private final ByteBuffer view;

    EchoPattern() {
        byte[] bytes = new byte[LENGTH + MAX_PIECE];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < LENGTH; i++) {
            x ^= x >>> 12;
            x ^= x << 25;
            x ^= x >>> 27;
            bytes[i] = (byte) ((x * 0x2545F4914F6CDD1DL) >>> 56);
        }
        System.arraycopy(bytes, 0, bytes, LENGTH, MAX_PIECE);
        table = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length, bytes.length);
        table.writeBytes(bytes);
        view = table.nioBuffer(0, bytes.length);
    }

    /** Where connection number {@code connection}'s stream starts in the table. */
    static int seed(int connection) {
        return (int) ((connection * 2654435761L) % LENGTH);
    }

    /** The position {@code n} bytes after {@code position}, for {@code n <= MAX_PIECE}. */
    static int advance(int position, int n) {
        int next = position + n;
        return next >= LENGTH ? next - LENGTH : next;
    }

    /** The position {@code n} bytes after {@code position}, for any {@code n >= 0}. */
    static int advance(int position, long n) {
        return (int) ((position + n % LENGTH) % LENGTH);
    }

    /** {@code length} (at most {@link #MAX_PIECE}) bytes from {@code position}, to be written and released. */
    ByteBuf slice(int position, int length) {
        return table.retainedSlice(position, length);
    }

    /**
     * Whether {@code length} (at most {@link #MAX_PIECE}) bytes of {@code in} from {@code index} are the table's bytes
     * from {@code position}.
     */
    boolean matches(int position, ByteBuf in, int index, int length) {
        ByteBuffer expected = view.clear().position(position).limit(position + length);
        ByteBuffer actual =
                in.nioBufferCount() == 1 ? in.internalNioBuffer(index, length) : in.nioBuffer(index, length);
        return expected.mismatch(actual) < 0;
    }

    void release() {
        table.release();
    }
}
