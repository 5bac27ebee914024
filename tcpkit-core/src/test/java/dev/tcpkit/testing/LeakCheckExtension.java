package dev.tcpkit.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class after which Netty reports a leaked buffer. Registered for every test class through
 * {@code META-INF/services} and JUnit's extension auto-detection.
 */
public final class LeakCheckExtension implements AfterAllCallback {
    @Override
    @SuppressWarnings("SystemGc") // leaked buffers are found when the collector clears them
    public void afterAll(ExtensionContext context) {
        for (int round = 0; round < 3; round++) {
            System.gc();
            // The detector looks for collected, unreleased buffers whenever it tracks a new one.
            for (int i = 0; i < 64; i++) {
                ByteBuf direct = ByteBufAllocator.DEFAULT.directBuffer(1);
                direct.release();
                ByteBuf heap = Unpooled.buffer(1);
                heap.release();
            }
        }
        List<String> leaks = LeakRecorder.drain();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leaked buffer(s) after " + context.getDisplayName() + ":\n"
                    + String.join("\n", leaks));
        }
    }
}
