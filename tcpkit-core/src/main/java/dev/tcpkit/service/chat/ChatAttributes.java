package dev.tcpkit.service.chat;

import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the chat service publishes about each of its connections, as channel attributes any thread may read (an
 * admin page, a metrics registry, a handler of your own): {@code channel.attr(ChatAttributes.NAME).get()}.
 */
final class ChatAttributes {
    /** The client's current name ({@code user3}, or what it chose with {@code /nick}); set when it joins. */
    static final AttributeKey<String> NAME = AttributeKey.valueOf("tcpkit.chat.name");

    /** How many lines this client has said to the room (relayed lines; commands are not counted). */
    static final AttributeKey<AtomicLong> MESSAGES = AttributeKey.valueOf("tcpkit.chat.messages");

    private ChatAttributes() {}
}
