package dev.tcpkit.app.client;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;

/**
 * Encodes text sent to the server chunk by chunk as one stream, in any charset the JDK knows: the sending
 * counterpart of {@link dev.tcpkit.codec.TextDecoder}.
 *
 * <p>What a charset writes once per stream is written once, not once per chunk: {@code String.getBytes} in UTF-16
 * would put a byte-order mark before every typed line, which the server shows as U+FEFF. A surrogate pair split
 * across two chunks is encoded whole with the second; characters the charset cannot encode become its replacement.
 * Not thread-safe: one instance per stream.
 */
final class TextEncoder {
    private final CharsetEncoder encoder;
    /** A high surrogate at the end of the last chunk, waiting for its low half. */
    private String pending = "";

    TextEncoder(Charset charset) {
        this.encoder = charset.newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    /** The bytes of every character completed by {@code chunk}; a high surrogate at its end waits for more. */
    byte[] encode(CharSequence chunk) {
        return encode(chunk, false);
    }

    /**
     * The bytes of {@code chunk} as the last of the stream, with whatever the charset writes at its end; a high
     * surrogate left without its low half becomes the replacement. The next chunk starts a new stream.
     */
    byte[] encodeLast(CharSequence chunk) {
        return encode(chunk, true);
    }

    private byte[] encode(CharSequence chunk, boolean last) {
        CharBuffer in = CharBuffer.wrap(pending.isEmpty() ? chunk : pending + chunk);
        ByteBuffer out = ByteBuffer.allocate((int) (in.remaining() * (double) encoder.maxBytesPerChar()) + 8);
        while (encoder.encode(in, out, last).isOverflow()) {
            out = grow(out);
        }
        if (last) {
            while (encoder.flush(out).isOverflow()) {
                out = grow(out);
            }
            encoder.reset();
        }
        pending = in.toString();
        return Arrays.copyOf(out.array(), out.position());
    }

    private static ByteBuffer grow(ByteBuffer out) {
        ByteBuffer bigger = ByteBuffer.allocate(out.capacity() * 2 + 16);
        out.flip();
        bigger.put(out);
        return bigger;
    }
}
