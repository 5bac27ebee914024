package dev.tcpkit.output;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Makes one connection's record lines straight from the bytes of its lines, when they arrive in UTF-8 (or ASCII) and
 * stdout takes UTF-8: the bytes {@link RecordFormat#line} and the encoder of stdout would give, without a {@code
 * String} per line. The time is copied from a cache formatted once per millisecond, the client's part is encoded once,
 * and a line whose bytes are printable, well-formed UTF-8 is copied as it is; any other line (control characters to
 * escape, malformed bytes) takes the decoding path, so the output is the same byte for byte.
 *
 * <p>One per connection, used on its event loop; {@link #take} hands a burst's lines to the writer as one record.
 */
public final class RecordEncoder {
    private static final int FIRST_CAPACITY = 4096;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long SPACES = 0x2020202020202020L;
    private static final long DELS = 0x7f7f7f7f7f7f7f7fL;

    /** {@code " 127.0.0.1:53210 >>> "}: what follows the time on every line of this connection. */
    private final byte[] client;

    private final boolean asciiOnly;
    /** For lines that need escaping or replacing: decodes as {@code TextDecoder} does (invalid bytes as U+FFFD). */
    private final CharsetDecoder decoder;

    private byte[] buffer = new byte[FIRST_CAPACITY];
    private int length;
    private int lines;
    /** A reused builder for the rare line that takes the decoding path. */
    private final StringBuilder escaped = new StringBuilder();

    /**
     * @param client the client's address, as in the record
     * @param charset the connection's charset: UTF-8 or US-ASCII ({@link #encodes})
     */
    public RecordEncoder(String client, Charset charset) {
        if (!encodes(charset)) {
            throw new IllegalArgumentException("lines must be UTF-8 or US-ASCII: " + charset);
        }
        this.client = (" " + client + " >>> ").getBytes(StandardCharsets.UTF_8);
        this.asciiOnly = charset.equals(StandardCharsets.US_ASCII);
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
    }

    /** Whether lines in {@code charset} can be recorded from their bytes: UTF-8 and US-ASCII can. */
    public static boolean encodes(Charset charset) {
        return charset.equals(StandardCharsets.UTF_8) || charset.equals(StandardCharsets.US_ASCII);
    }

    /**
     * Appends the record line of the {@code n} bytes of {@code source} from {@code index} (a line without its
     * terminator), read at {@code timeMillis}.
     */
    public void add(long timeMillis, ByteBuf source, int index, int n) {
        byte[] time = RecordFormat.timeAscii(timeMillis);
        ensure(time.length + client.length + n + 1);
        System.arraycopy(time, 0, buffer, length, time.length);
        int at = length + time.length;
        System.arraycopy(client, 0, buffer, at, client.length);
        at += client.length;
        source.getBytes(index, buffer, at, n);
        if (printable(buffer, at, at + n, asciiOnly)) {
            at += n;
        } else {
            at = appendEscaped(at, n);
        }
        buffer[at++] = '\n';
        length = at;
        lines++;
    }

    /** How many lines were added since the last {@link #take}. */
    public int lines() {
        return lines;
    }

    /** The lines added since the last call, as one record; this encoder starts afresh. */
    public EncodedLines take() {
        EncodedLines taken = new EncodedLines(buffer, length, lines);
        // The next burst is likely as big as this one: start there, without copying this one's bytes.
        buffer = new byte[Math.max(FIRST_CAPACITY, length)];
        length = 0;
        lines = 0;
        return taken;
    }

    /** Replaces the raw text at {@code buffer[at, at + n)} with its decoded, escaped, re-encoded form; returns its end. */
    private int appendEscaped(int at, int n) {
        String text;
        try {
            text = decoder.decode(ByteBuffer.wrap(buffer, at, n)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder failed", e); // REPLACE never throws
        }
        escaped.setLength(0);
        RecordFormat.escapeTo(text, escaped);
        byte[] bytes = escaped.toString().getBytes(StandardCharsets.UTF_8);
        ensureAt(at, bytes.length + 1);
        System.arraycopy(bytes, 0, buffer, at, bytes.length);
        return at + bytes.length;
    }

    private void ensure(int more) {
        ensureAt(length, more);
    }

    private void ensureAt(int at, int more) {
        if (at + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(at + more, 2 * buffer.length));
        }
    }

    /**
     * Whether {@code b[from, to)} is well-formed UTF-8 (ASCII only, with {@code asciiOnly}) holding no character that a
     * record escapes (controls, C1 controls, U+2028, U+2029): then it is printed as it is.
     */
    static boolean printable(byte[] b, int from, int to, boolean asciiOnly) {
        int i = printableAsciiRun(b, from, to);
        while (i < to) {
            int c = b[i];
            if (c >= 0x20 && c != 0x7f) { // printable ASCII; bytes from 0x80 up are negative
                i++;
                continue;
            }
            if (c >= 0 || asciiOnly) {
                return false;
            }
            c &= 0xff;
            if (c < 0xc2) {
                return false; // a continuation byte first, or an overlong 2-byte form
            } else if (c < 0xe0) {
                if (i + 1 >= to || !continuation(b[i + 1]) || (c == 0xc2 && (b[i + 1] & 0xff) < 0xa0)) {
                    return false; // U+0080..U+009F are C1 controls
                }
                i += 2;
            } else if (c < 0xf0) {
                if (i + 2 >= to || !continuation(b[i + 1]) || !continuation(b[i + 2])) {
                    return false;
                }
                int cp = (c & 0x0f) << 12 | (b[i + 1] & 0x3f) << 6 | (b[i + 2] & 0x3f);
                if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0x2028 || cp == 0x2029) {
                    return false;
                }
                i += 3;
            } else if (c < 0xf5) {
                if (i + 3 >= to || !continuation(b[i + 1]) || !continuation(b[i + 2]) || !continuation(b[i + 3])) {
                    return false;
                }
                int cp = (c & 0x07) << 18 | (b[i + 1] & 0x3f) << 12 | (b[i + 2] & 0x3f) << 6 | (b[i + 3] & 0x3f);
                if (cp < 0x10000 || cp > 0x10ffff) {
                    return false;
                }
                i += 4;
            } else {
                return false;
            }
        }
        return true;
    }

    /**
     * Where the run of printable ASCII at {@code from} ends, found 8 bytes at a time (a 64-byte line in 8 steps, not
     * 64); it may stop up to 7 bytes short, and the byte-by-byte loop takes it from there.
     */
    private static int printableAsciiRun(byte[] b, int from, int to) {
        int i = from;
        while (i + Long.BYTES <= to) {
            long x = (long) LONGS.get(b, i);
            long nonAscii = x & HIGH_BITS;
            long belowSpace = (x - SPACES) & ~x & HIGH_BITS; // some byte < 0x20 (exact when none is >= 0x80)
            long d = x ^ DELS;
            long del = (d - ONES) & ~d & HIGH_BITS; // some byte == 0x7f
            if ((nonAscii | belowSpace | del) != 0) {
                break;
            }
            i += Long.BYTES;
        }
        return i;
    }

    private static boolean continuation(byte b) {
        return (b & 0xc0) == 0x80;
    }
}
