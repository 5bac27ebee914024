package dev.tcpkit.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The layout of the fuzz targets' inputs, simple enough to write seeds by hand with {@code printf}: byte 0 is a
 * parameter of the target (a maximum, a charset's index), byte 1 the number {@code n} of cuts (0..15, low four
 * bits), the next {@code n} bytes the lengths of the first {@code n} chunks, and the rest the payload. The payload
 * reaches the code under test cut into those chunks (a length beyond the payload takes what is left), then the
 * remainder as one last chunk: the same bytes split at every point the fuzzer likes.
 *
 * <pre>{@code printf '\x08\x02\x03\x05line one\r\nline two\n' > seed}</pre>
 */
public final class FuzzInput {
    private final int parameter;
    private final byte[] payload;
    private final List<byte[]> chunks;

    private FuzzInput(int parameter, byte[] payload, List<byte[]> chunks) {
        this.parameter = parameter;
        this.payload = payload;
        this.chunks = chunks;
    }

    public static FuzzInput parse(byte[] input) {
        int parameter = input.length > 0 ? input[0] & 0xff : 0;
        int cuts = input.length > 1 ? input[1] & 0x0f : 0;
        int start = Math.min(input.length, 2 + cuts);
        byte[] payload = Arrays.copyOfRange(input, start, input.length);
        List<byte[]> chunks = new ArrayList<>();
        int at = 0;
        for (int i = 2; i < start; i++) {
            int length = Math.min(input[i] & 0xff, payload.length - at);
            chunks.add(Arrays.copyOfRange(payload, at, at + length));
            at += length;
        }
        chunks.add(Arrays.copyOfRange(payload, at, payload.length));
        return new FuzzInput(parameter, payload, List.copyOf(chunks));
    }

    /** Byte 0, as 0..255. */
    public int parameter() {
        return parameter;
    }

    /** All the payload's bytes, uncut. */
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload in its chunks, in order; some may be empty. */
    public List<byte[]> chunks() {
        return chunks;
    }
}
