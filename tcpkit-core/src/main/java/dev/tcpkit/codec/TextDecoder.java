package dev.tcpkit.codec;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes a byte stream to text chunk by chunk, in any charset the JDK knows.
 *
 * <p>A character whose bytes are split across two chunks is returned whole with the second chunk; invalid bytes
 * become U+FFFD. Not thread-safe: one instance per connection, used on its event loop.
 */
public final class TextDecoder {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final CharsetDecoder decoder;
    /**
     * Whether {@link ByteBuf#toString(int, int, Charset)} gives what this decoder would: for every charset but
     * US-ASCII, which Netty maps byte for byte (bytes above 127 as Latin-1 characters, not U+FFFD).
     */
    private final boolean stringDecodes;
    /** Bytes of a character not yet complete at the end of the last chunk (a few bytes at most). */
    private ByteBuffer pending = EMPTY;

    /**
     * @throws IllegalArgumentException for a charset that guesses the encoding from the bytes seen so far ({@code
     *     x-JISAutoDetect}): the same bytes cut into other reads would decode differently (found by {@code
     *     TextDecoderFuzzTest})
     */
    public TextDecoder(Charset charset) {
        this.decoder = notGuessing(charset.newDecoder())
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        this.stringDecodes = !charset.equals(StandardCharsets.US_ASCII);
    }

    /** Fails for a charset whose decoder guesses the encoding; the message says what to do instead. */
    public static void checkNotGuessing(Charset charset) {
        notGuessing(charset.newDecoder());
    }

    private static CharsetDecoder notGuessing(CharsetDecoder decoder) {
        if (decoder.isAutoDetecting()) {
            throw new IllegalArgumentException(decoder.charset().name()
                    + " guesses the encoding from the first bytes it sees, so text would depend on how the network"
                    + " cuts it: name the encoding (EUC-JP, Shift_JIS or ISO-2022-JP)");
        }
        return decoder;
    }

    /** The text of every character completed by {@code chunk}; an incomplete last character waits for more. */
    public String decode(ByteBuf chunk) {
        return decode(chunk, false);
    }

    /** The text of {@code chunk} as the last of the stream: an incomplete last character becomes U+FFFD. */
    public String decodeLast(ByteBuf chunk) {
        if (!pending.hasRemaining() && stringDecodes) {
            // A whole line or datagram: the String constructor decodes as this decoder would (malformed input
            // replaced), straight from Netty's per-thread copy of the bytes, without the buffers decode() allocates.
            return chunk.toString(chunk.readerIndex(), chunk.readableBytes(), decoder.charset());
        }
        return decode(chunk, true);
    }

    /** Whether bytes of an incomplete character are waiting for the next chunk. */
    public boolean hasPending() {
        return pending.hasRemaining();
    }

    /** How many bytes of an incomplete character wait for the next chunk. */
    int pendingBytes() {
        return pending.remaining();
    }

    private String decode(ByteBuf chunk, boolean last) {
        ByteBuffer in = input(chunk);
        CharBuffer out = CharBuffer.allocate((int) (in.remaining() * (double) decoder.maxCharsPerByte()) + 4);
        while (true) {
            CoderResult result = decoder.decode(in, out, last);
            if (result.isOverflow()) {
                out = grow(out);
            } else {
                break;
            }
        }
        if (last) {
            while (decoder.flush(out).isOverflow()) {
                out = grow(out);
            }
            decoder.reset();
        }
        pending = in.hasRemaining() ? copyOf(in) : EMPTY;
        out.flip();
        return out.toString();
    }

    /**
     * The bytes to decode: the pending bytes of a split character, then the chunk. Always a heap buffer: the JDK's
     * decoders have a fast path for arrays (whole runs of ASCII at once) and a byte-by-byte one for direct memory,
     * which is what reads deliver; one copy into an array is several times cheaper than the slow path.
     */
    private ByteBuffer input(ByteBuf chunk) {
        int n = chunk.readableBytes();
        int p = pending.remaining();
        if (p == 0 && chunk.hasArray()) {
            return ByteBuffer.wrap(chunk.array(), chunk.arrayOffset() + chunk.readerIndex(), n);
        }
        byte[] bytes = new byte[p + n];
        pending.get(bytes, 0, p);
        chunk.getBytes(chunk.readerIndex(), bytes, p, n);
        return ByteBuffer.wrap(bytes);
    }

    private static ByteBuffer copyOf(ByteBuffer in) {
        ByteBuffer copy = ByteBuffer.allocate(in.remaining());
        copy.put(in).flip();
        return copy;
    }

    private static CharBuffer grow(CharBuffer out) {
        CharBuffer bigger = CharBuffer.allocate(out.capacity() * 2 + 16);
        out.flip();
        bigger.put(out);
        return bigger;
    }
}
