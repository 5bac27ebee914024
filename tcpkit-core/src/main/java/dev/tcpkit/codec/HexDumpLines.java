package dev.tcpkit.codec;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Bytes as {@code xxd} shows them ({@code xxd -o OFFSET}): per line of 16 bytes the offset of its first byte (at
 * least 8 hex digits), the bytes in hex in groups of two, and the printable ASCII ones ({@code .} for the others):
 *
 * <pre>
 * 00000010: 4865 6c6c 6f2c 2077 6f72 6c64 210a 0001  Hello, world!...
 * 00000020: 7f80 ff7e 61                             ...~a
 * </pre>
 *
 * Netty's {@code ByteBufUtil.prettyHexDump} draws a box instead, which no {@code xxd -r} reads back. This one reads
 * the buffer in place (absolute indexes: neither a copy nor a change to its reader index) and builds each line in a
 * reused array.
 */
public final class HexDumpLines {
    /** Bytes per line, as {@code xxd}'s default. */
    public static final int BYTES_PER_LINE = 16;
    /** Where the ASCII column starts, after an 8-digit offset: {@code "00000000: "}, 39 columns of hex, 2 spaces. */
    private static final int ASCII_AFTER_HEX = 2 + BYTES_PER_LINE * 2 + BYTES_PER_LINE / 2 - 1 + 2;

    private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** The longest line: a 16-digit offset, the hex and ASCII columns and the newline. */
    private final byte[] line = new byte[16 + ASCII_AFTER_HEX + BYTES_PER_LINE + 1];

    /** A formatter with its own line buffer: one per thread. */
    public HexDumpLines() {}

    /**
     * Appends the lines of the buffer's readable bytes to {@code out}, the first byte at {@code offset}, each line
     * ending in {@code \n}. Not thread-safe: one instance per thread.
     */
    public void append(ByteBuf bytes, long offset, ByteArrayOutputStream out) {
        int start = bytes.readerIndex();
        int end = bytes.writerIndex();
        for (int index = start; index < end; index += BYTES_PER_LINE) {
            int length = line(bytes, index, Math.min(BYTES_PER_LINE, end - index), offset + (index - start));
            out.write(line, 0, length);
        }
    }

    /** Builds one line of {@code count} bytes (1 to 16) in {@link #line}; returns its length. */
    private int line(ByteBuf bytes, int index, int count, long offset) {
        int digits = Math.max(8, (67 - Long.numberOfLeadingZeros(offset)) / 4);
        int at = 0;
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            line[at++] = DIGITS[(int) (offset >>> shift) & 0xf];
        }
        line[at++] = ':';
        line[at++] = ' ';
        int ascii = at + ASCII_AFTER_HEX - 2;
        // A whole line is read as two longs: one bounds and reference count check each, not one per byte.
        boolean whole = count == BYTES_PER_LINE;
        long high = whole ? bytes.getLong(index) : 0;
        long low = whole ? bytes.getLong(index + 8) : 0;
        for (int i = 0; i < BYTES_PER_LINE; i++) {
            if (i > 0 && i % 2 == 0) {
                line[at++] = ' ';
            }
            if (i < count) {
                int b = whole
                        ? (int) ((i < 8 ? high : low) >>> (56 - 8 * (i % 8))) & 0xff
                        : bytes.getByte(index + i) & 0xff;
                line[at++] = DIGITS[b >>> 4];
                line[at++] = DIGITS[b & 0xf];
                line[ascii + i] = (byte) (b >= 0x20 && b < 0x7f ? b : '.');
            } else {
                line[at++] = ' ';
                line[at++] = ' ';
            }
        }
        line[at++] = ' ';
        line[at++] = ' ';
        at += count;
        line[at++] = '\n';
        return at;
    }
}
