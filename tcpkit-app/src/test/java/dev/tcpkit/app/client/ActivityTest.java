package dev.tcpkit.app.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
final class ActivityTest {
    private final Activity activity = new Activity();
    private final EmbeddedChannel channel = new EmbeddedChannel();

    @Test
    void aWriteThatFailsWithAResetIsTheConnectionsFailure() {
        IOException reset = new IOException("send(..) failed: Connection reset by peer");
        activity.newWritePromise(channel).setFailure(reset);
        assertThat(activity.failure()).isSameAs(reset);
    }

    @Test
    void aWriteToAConnectionAlreadyClosedIsNoFailure() {
        activity.newWritePromise(channel).setFailure(new ClosedChannelException());
        activity.newWritePromise(channel).setSuccess();
        assertThat(activity.failure()).isNull();
    }

    @Test
    void theFirstFailureIsTheOneReported() {
        IOException first = new IOException("Connection reset by peer");
        activity.failed(first);
        ChannelPromise later = activity.newWritePromise(channel);
        later.setFailure(new IOException("Broken pipe"));
        assertThat(activity.failure()).isSameAs(first);
    }

    @Test
    void silenceIsCountedFromTheWaitWhenNothingWasReadSince() throws Exception {
        activity.awaitCloseOrSilence(Duration.ofMillis(100)); // a first silence, as a --recv-first waiting in vain
        long start = System.nanoTime();
        activity.awaitCloseOrSilence(Duration.ofMillis(200));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    }

    @Test
    void theEndOfTheConnectionEndsEveryWait() throws Exception {
        activity.closed();
        activity.awaitCloseOrSilence(Duration.ofHours(1));
        activity.awaitReadAfter(0, Duration.ofHours(1));
        activity.awaitClose();
        assertThat(activity.isClosed()).isTrue();
    }
}
