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

    /**
     * The most one client's lines may hold in the room, all outboxes together, before its reads pause: half of one
     * client's {@code maxQueue}, so that one sender alone never fills the queue of a client that reads.
     */
    long senderShare() {
        return Math.max(1, maxQueue / 2);
    }
}
