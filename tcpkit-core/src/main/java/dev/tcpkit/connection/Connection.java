package dev.tcpkit.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.util.AttributeKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.jspecify.annotations.Nullable;

/**
 * One open connection as the admin endpoint shows it: id, client address, when it connected, bytes in and out,
 * messages (for services that have messages) and the client's name (for services whose clients have names).
 *
 * <p>Threading: the counters are written only by the connection's own event loop and read by any thread. They are
 * plain fields accessed in opaque mode: no fence and no allocation on the hot path, no torn {@code long}, and a
 * reader sees a recent value, which is all a status page needs.
 *
 * <p>Hooks for services, all called on the connection's event loop: {@link #of(Channel)} finds the connection;
 * {@link #trackMessages()} once, then {@link #countMessage()} per message; {@link #closeReason(String)} before
 * closing for a reason the log should name (any thread). A service whose clients have names (chat) sets the channel attribute
 * {@link #NAME}, which may change at any time (e.g. {@code /nick}).
 */
public final class Connection {
    /** The connection's entry, set on its channel while it is open. */
    public static final AttributeKey<Connection> KEY = AttributeKey.valueOf(Connection.class, "connection");

    /** The client's name, for services whose clients have one (chat); shown by the admin endpoint when set. */
    public static final AttributeKey<String> NAME = AttributeKey.valueOf(Connection.class, "name");

    private static final VarHandle BYTES_IN;
    private static final VarHandle BYTES_OUT;
    private static final VarHandle MESSAGES;
    private static final VarHandle CLOSE_REASON;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BYTES_IN = lookup.findVarHandle(Connection.class, "bytesIn", long.class);
            BYTES_OUT = lookup.findVarHandle(Connection.class, "bytesOut", long.class);
            MESSAGES = lookup.findVarHandle(Connection.class, "messages", long.class);
            CLOSE_REASON = lookup.findVarHandle(Connection.class, "closeReason", String.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final ConnectionRegistry registry;
    private final long id;
    private final Channel channel;
    private final String client;
    private final long connectedAtMillis;

    @SuppressWarnings("UnusedVariable") // accessed through BYTES_IN
    private long bytesIn;

    @SuppressWarnings("UnusedVariable") // accessed through BYTES_OUT
    private long bytesOut;

    @SuppressWarnings("UnusedVariable") // accessed through MESSAGES
    private long messages;

    private volatile boolean messagesTracked;
    private volatile @Nullable String closeReason;

    Connection(ConnectionRegistry registry, long id, Channel channel, String client, long connectedAtMillis) {
        this.registry = registry;
        this.id = id;
        this.channel = channel;
        this.client = client;
        this.connectedAtMillis = connectedAtMillis;
    }

    /** The entry of an open connection of a {@code TcpServer}, or {@code null} for a channel it does not track. */
    public static @Nullable Connection of(Channel channel) {
        return channel.attr(KEY).get();
    }

    /** Unique among the connections of one server, counting from 1 (roughly in order of arrival). */
    public long id() {
        return id;
    }

    /** The client's address as {@code host:port}. */
    public String client() {
        return client;
    }

    /** The client's name (see {@link #NAME}), or {@code null} when its service does not name clients. */
    public @Nullable String name() {
        return channel.attr(NAME).get();
    }

    /** When the connection was accepted, in epoch milliseconds. */
    public long connectedAtMillis() {
        return connectedAtMillis;
    }

    /** Bytes received from the client so far. */
    public long bytesIn() {
        return (long) BYTES_IN.getOpaque(this);
    }

    /** Bytes the server wrote to the client so far. */
    public long bytesOut() {
        return (long) BYTES_OUT.getOpaque(this);
    }

    /** Messages received so far; meaningful only when {@link #messagesTracked()}. */
    public long messages() {
        return (long) MESSAGES.getOpaque(this);
    }

    /** Whether this connection's service counts messages (echo and discard have none: they see only bytes). */
    public boolean messagesTracked() {
        return messagesTracked;
    }

    /** Declares that this connection's service counts messages; call once, before the first. */
    public void trackMessages() {
        messagesTracked = true;
    }

    /** Counts one message received; call on the connection's event loop. */
    public void countMessage() {
        MESSAGES.setOpaque(this, (long) MESSAGES.get(this) + 1);
        registry.messages.increment();
    }

    /**
     * Names why the server is closing this connection, for the disconnect event, e.g. {@code "idle timeout"}. The
     * first reason given wins; without one the log says whether the client or the server closed.
     */
    public void closeReason(String reason) {
        CLOSE_REASON.compareAndSet(this, (String) null, reason);
    }

    /** The reason given to {@link #closeReason(String)}, or {@code null}. */
    public @Nullable String givenCloseReason() {
        return closeReason;
    }

    /** Closes the connection (from any thread), with {@code reason} for the disconnect event. */
    public ChannelFuture close(String reason) {
        closeReason(reason);
        return channel.close();
    }

    /** The connection's channel. */
    public Channel channel() {
        return channel;
    }

    void addBytesIn(long n) {
        BYTES_IN.setOpaque(this, (long) BYTES_IN.get(this) + n);
        registry.bytesIn.add(n);
    }

    void addBytesOut(long n) {
        BYTES_OUT.setOpaque(this, (long) BYTES_OUT.get(this) + n);
        registry.bytesOut.add(n);
    }
}
