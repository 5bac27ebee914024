package dev.tcpkit.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.lang.management.ManagementFactory;

/** What the server in this JVM holds: Netty's direct buffers and the live heap. */
public final class MemoryProbe {
    private MemoryProbe() {}

    /** Direct memory in use by Netty's default allocator. */
    public static long usedDirectMemory() {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider) {
            return provider.metric().usedDirectMemory();
        }
        throw new IllegalStateException("allocator has no metrics: " + ByteBufAllocator.DEFAULT);
    }

    /** Heap in use right after a full collection was requested. */
    @SuppressWarnings("SystemGc") // measuring live data needs the garbage gone
    public static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
