package dev.tcpkit.output;

/**
 * What the {@link RecordWriter} writes: a message's record, a burst of them already encoded, or a chunk of a
 * connection's hex dump.
 */
public sealed interface OutputRecord permits MessageRecord, EncodedLines, HexDumpChunk {

    /** Roughly the memory it holds while it waits for the writer: what {@link PendingRecords} bounds. */
    long cost();

    /** How many records it is: one, or the lines of an {@link EncodedLines}. */
    default int records() {
        return 1;
    }
}
