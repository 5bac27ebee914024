package dev.tcpkit.transport;

import io.netty.channel.AdaptiveRecvByteBufAllocator;
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

    private ReadSizes() {}
}
