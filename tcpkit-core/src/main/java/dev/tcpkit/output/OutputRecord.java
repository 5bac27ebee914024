package dev.tcpkit.output;

/** What the {@link RecordWriter} writes: a message's record, or a chunk of a connection's hex dump. */
public sealed interface OutputRecord permits MessageRecord, HexDumpChunk {

    /** Roughly the memory it holds while it waits for the writer: what {@link PendingRecords} bounds. */
    long cost();
}
