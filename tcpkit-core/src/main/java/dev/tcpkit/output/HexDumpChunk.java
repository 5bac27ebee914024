package dev.tcpkit.output;

import io.netty.buffer.ByteBuf;

/**
 * One read or one write of a connection, for its {@code --hex-dump}: the writer formats it as a header line, {@code
 * TIME PEER >>> N bytes} (received) or {@code <<< N bytes} (sent), then the bytes as {@code xxd} shows them from
 * {@code offset}, and releases them.
 *
 * @param timeMillis when it was read or written, in milliseconds since the epoch
 * @param peer the other end: the client for a server, the server for a client
 * @param received whether the bytes were received ({@code >>>}) or sent ({@code <<<})
 * @param offset how many bytes went this way on this connection before these
 * @param bytes the bytes, a retained slice: the writer releases it
 */
public record HexDumpChunk(long timeMillis, String peer, boolean received, long offset, ByteBuf bytes)
        implements OutputRecord {
    /** What a chunk costs beyond its bytes: the record and its header line. */
    private static final int CHUNK_COST = 128;

    @Override
    public long cost() {
        return (long) CHUNK_COST + bytes.readableBytes();
    }
}
