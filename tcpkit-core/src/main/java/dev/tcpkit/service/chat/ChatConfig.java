package dev.tcpkit.service.chat;

import dev.tcpkit.codec.Framing;
import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Duration;

/**
 * What every connection of one chat server shares.
 *
 * @param maxLineRate lines a second one client may send, 0 for no limit
 */
record ChatConfig(
        Framing framing,
        int maxLine,
        Charset charset,
        int maxQueue,
        Duration sendTimeout,
        int maxLineRate,
        Clock clock) {

    /** Each value's rule, and what the builder's {@code build()} says when one is broken. */
    ChatConfig {
        if (maxLine < 1) {
            throw new IllegalArgumentException("maxLine must be >= 1: " + maxLine);
        }
        if (maxQueue < 1) {
            throw new IllegalArgumentException("maxQueue must be >= 1: " + maxQueue);
        }
        if (sendTimeout.isNegative() || sendTimeout.isZero()) {
            throw new IllegalArgumentException("sendTimeout must be > 0: " + sendTimeout);
        }
        if (maxLineRate < 0) {
            throw new IllegalArgumentException("maxLineRate must be >= 0: " + maxLineRate);
        }
    }

    /**
     * The most one client's lines may hold in the room, all outboxes together, before its reads pause: half of one
     * client's {@code maxQueue}, so that one sender alone never fills the queue of a client that reads.
     */
    long senderShare() {
        return Math.max(1, maxQueue / 2);
    }
}
