package dev.tcpkit.service.chat;

import dev.tcpkit.connection.Connection;
import io.netty.channel.Channel;
import java.nio.charset.Charset;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * One client in the room: its connection, name, address, when it joined, its {@link Outbox} (what waits for it) and
 * its {@link Backlog} (what its own lines hold in the others' outboxes).
 */
final class ChatMember {
    private final Channel channel;
    private final String address;
    private final long joinedMillis;
    private final Charset charset;
    private final Outbox outbox;
    private final Backlog backlog;
    /** Changed only by this client's own /nick, on its event loop, under the room's lock; read from anywhere. */
    private volatile String name;
    /** Set once when it leaves the room; from then on what it sends is dropped. */
    private volatile boolean left;

    private final @Nullable Connection connection;

    ChatMember(
            Channel channel,
            String address,
            String name,
            long joinedMillis,
            ChatConfig config,
            BiConsumer<ChatMember, String> notReading,
            Runnable caughtUp) {
        this.channel = channel;
        this.address = address;
        this.name = name;
        this.joinedMillis = joinedMillis;
        this.charset = config.charset();
        this.outbox = new Outbox(channel, config.maxQueue(), config.sendTimeout(), why -> notReading.accept(this, why));
        this.backlog = new Backlog(config.senderShare(), channel.eventLoop(), caughtUp);
        // The server's registry shows the name and counts the lines (admin page, /api, /metrics).
        channel.attr(Connection.NAME).set(name);
        this.connection = Connection.of(channel);
        if (connection != null) {
            connection.trackMessages();
        }
    }

    /** Sends one or more lines the server says to this client alone. */
    void send(String text) {
        outbox.offer(encode(text, charset));
    }

    /** {@code text} as it goes on the wire: in the server's charset, ending with a newline. */
    static byte[] encode(String text, Charset charset) {
        return (text + "\n").getBytes(charset);
    }

    Channel channel() {
        return channel;
    }

    String address() {
        return address;
    }

    String name() {
        return name;
    }

    void name(String name) {
        this.name = name;
        channel.attr(Connection.NAME).set(name);
    }

    long joinedMillis() {
        return joinedMillis;
    }

    Outbox outbox() {
        return outbox;
    }

    Backlog backlog() {
        return backlog;
    }

    /** Counts a line said to the room, in the connection's messages (admin page, /api, /metrics, the event). */
    void countMessage() {
        if (connection != null) {
            connection.countMessage();
        }
    }

    boolean present() {
        return !left;
    }

    void markLeft() {
        left = true;
    }

    @Override
    public String toString() {
        return name + " (" + address + ")";
    }
}
