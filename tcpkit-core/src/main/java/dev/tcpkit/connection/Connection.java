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
 * {@link #trackMessages()} once, then {@link #countMessage()} per message; {@link #closeReason(CloseReason, String)}
 * before closing for a reason of its own (any thread). A service whose clients have names (chat) sets the channel attribute
 * {@link #NAME}, which may change at any time (e.g. {@code /nick}); a relay (forward) says where it joined the client
 * with {@link #upstream(String)}.
 */
public final class Connection {
    /** The connection's entry, set on its channel while it is open. */
    public static final AttributeKey<Connection> KEY = AttributeKey.valueOf(Connection.class, "connection");

    /** The client's name, for services whose clients have one (chat); shown by the admin endpoint when set. */
    public static final AttributeKey<String> NAME = AttributeKey.valueOf(Connection.class, "name");

    private static final VarHandle BYTES_IN;
    private static final VarHandle BYTES_OUT;
    private static final VarHandle MESSAGES;
    private static final VarHandle CLOSING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            BYTES_IN = lookup.findVarHandle(Connection.class, "bytesIn", long.class);
            BYTES_OUT = lookup.findVarHandle(Connection.class, "bytesOut", long.class);
            MESSAGES = lookup.findVarHandle(Connection.class, "messages", long.class);
            CLOSING = lookup.findVarHandle(Connection.class, "closing", Closing.class);
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
    private volatile @Nullable String upstream;
    private volatile @Nullable Closing closing;

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

    /** Where a relay (forward) joined this client, as {@code host:port}, or {@code null} when it is not relayed. */
    public @Nullable String upstream() {
        return upstream;
    }

    /** Says where a relay joined this client; the admin endpoint and the disconnect event show it. */
    public void upstream(String upstream) {
        this.upstream = upstream;
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
     * Says why this connection is being closed, for the disconnect event and the per-reason counts. The first reason
     * given wins: one connection, one reason. Without one, the reason is worked out when it closes (the client closed,
     * the server's service closed, a socket error).
     *
     * @param detail the reason in full, naming its option where there is one: {@code "idle for 5s (--idle-timeout)"}
     * @return whether this was the first reason given
     */
    public boolean closeReason(CloseReason reason, String detail) {
        return CLOSING.compareAndSet(this, (Closing) null, new Closing(reason, detail));
    }

    /** The reason given to {@link #closeReason(CloseReason, String)}, or {@code null}. */
    @Nullable
    Closing givenCloseReason() {
        return closing;
    }

    /** Closes the connection (from any thread), giving {@code reason} as for {@link #closeReason}. */
    public ChannelFuture close(CloseReason reason, String detail) {
        closeReason(reason, detail);
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

    /** A close reason and its detail. */
    record Closing(CloseReason reason, String detail) {}
}
