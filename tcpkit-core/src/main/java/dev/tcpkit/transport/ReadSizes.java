package dev.tcpkit.transport;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;

/** How much one read may take, for every connection tcpkit makes or accepts. */
public final class ReadSizes {
    /**
     * Netty's adaptive read sizes (start at 2 KiB, follow what arrives), up to 128 KiB per read instead of 64: a
     * stream then costs half the reads and writes on both sides, and echo keeps pace with C's 1 MiB reads
     * (docs/PERFORMANCE.md). For a server it also bounds what a client that sends without reading leaves held: the
     * write high mark plus one read.
     */
    public static final RecvByteBufAllocator ADAPTIVE = new AdaptiveRecvByteBufAllocator(64, 2048, 128 * 1024);

    /**
     * Reads of a connection whose records go to a sink (Kafka), at most 16 KiB: each record is held until the broker
     * acknowledges it, and a connection's reads pause only once a read has come in, so one 128 KiB read would hold
     * twice the connection's window more; that many records outlive several young collections, and copying them
     * cost a third of the wall time (docs/PERFORMANCE.md).
     */
    public static final RecvByteBufAllocator TO_SINK = new AdaptiveRecvByteBufAllocator(64, 2048, 16 * 1024);

    /** No UDP datagram's payload is longer (IPv6's, without jumbograms; IPv4's is 65,507). */
    private static final int MAX_UDP_PAYLOAD = 65_527;

    private ReadSizes() {}

    /**
     * A UDP server's reads: one datagram each, into a buffer one byte longer than {@code maxDatagram} (and no longer
     * than the largest UDP payload needs), so that a datagram the kernel cut to fit is seen to be too long.
     */
    public static RecvByteBufAllocator datagrams(int maxDatagram) {
        return new FixedRecvByteBufAllocator(Math.min(maxDatagram, MAX_UDP_PAYLOAD) + 1);
    }
}
