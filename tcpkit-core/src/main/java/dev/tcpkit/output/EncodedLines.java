package dev.tcpkit.output;

/**
 * Record lines of one connection's read burst, each already in its one-line form ({@link RecordFormat}) with its
 * {@code \n}, encoded in UTF-8: what {@link RecordEncoder} makes and the writer copies to stdout as it is.
 *
 * @param bytes the lines, in {@code [0, length)}; owned by this record, never changed once made
 * @param length how many bytes of {@code bytes} are lines
 * @param lines how many lines (records) they are
 */
@SuppressWarnings("ArrayRecordComponent") // handed over once from the event loop to the writer, never changed
public record EncodedLines(byte[] bytes, int length, int lines) implements OutputRecord {
    /** What the record costs beyond its bytes. */
    private static final int COST = 64;

    @Override
    public long cost() {
        return COST + (long) bytes.length;
    }

    @Override
    public int records() {
        return lines;
    }
}
