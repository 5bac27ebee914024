package dev.tcpkit.guard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.testing.LogCapture;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The idle timeout on virtual time. */
final class IdleCutHandlerTest {

    @Test
    void cutsAConnectionWithNothingReadOrWrittenForTheTimeout() {
        try (LogCapture log = LogCapture.of("dev.tcpkit.connection")) {
            EmbeddedChannel ch = new EmbeddedChannel(new IdleCutHandler(Duration.ofSeconds(30)));
            ch.advanceTimeBy(29, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
            assertThat(ch.isOpen()).isTrue();

            ch.advanceTimeBy(2, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
            assertThat(ch.isOpen()).isFalse();
            assertThat(log.messages()).singleElement().asString().endsWith(": idle for 30s (--idle-timeout)");
        }
    }

    @Test
    void readingOrWritingStartsTheTimeoutOver() {
        EmbeddedChannel ch = new EmbeddedChannel(new IdleCutHandler(Duration.ofMillis(500)));
        for (int i = 0; i < 10; i++) {
            ch.advanceTimeBy(400, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
            if (i % 2 == 0) {
                ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
            } else {
                ch.writeOutbound(Unpooled.wrappedBuffer(new byte[] {2}));
            }
        }
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(501, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).as("idle again for the whole timeout").isFalse();
        ch.finishAndReleaseAll();
    }
}
