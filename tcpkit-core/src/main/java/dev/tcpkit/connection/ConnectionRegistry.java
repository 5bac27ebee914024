package dev.tcpkit.connection;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The open connections of one server, each with its traffic ({@link Connection}), and the server's totals: bytes in
 * and out and messages of every connection it served, closed ones included, and how many closed for each
 * {@link CloseReason}.
 *
 * <p>{@link #track(Channel)} makes a small counting handler for each connection's pipeline, ahead of the service; it logs the
 * connect and disconnect events (with bytes, duration and reason). Totals are {@link LongAdder}s, so event loops
 * add to them without contending; readers (the admin endpoint, {@code /metrics}) may call anything from any thread.
 */
public final class ConnectionRegistry {
    private final String service;
    private final boolean announce;
    private final Clock clock;
    private final AtomicLong lastId = new AtomicLong();
    private final ConcurrentHashMap<Long, Connection> open = new ConcurrentHashMap<>();
    final LongAdder bytesIn = new LongAdder();
    final LongAdder bytesOut = new LongAdder();
    final LongAdder messages = new LongAdder();
    /** Filled once here, then only read: safe to share between threads. */
    private final EnumMap<CloseReason, LongAdder> closed = new EnumMap<>(CloseReason.class);

    /**
     * @param service the service's name, for the log events
     * @param announce log connects and disconnects at info level (otherwise at debug)
     * @param clock the clock that timestamps connections
     */
    public ConnectionRegistry(String service, boolean announce, Clock clock) {
        this.service = service;
        this.announce = announce;
        this.clock = clock;
        for (CloseReason reason : CloseReason.values()) {
            closed.put(reason, new LongAdder());
        }
    }

    /**
     * Starts tracking a newly accepted connection: registers it and returns the counting handler, for the caller to
     * put in its pipeline. Call on the connection's event loop, before the service adds its handlers, so that the
     * service finds its {@link Connection} with {@link Connection#of(Channel)}.
     */
    public ChannelHandler track(Channel channel) {
        Connection connection =
                new Connection(this, lastId.incrementAndGet(), channel, ClientAddress.format(channel), clock.millis());
        channel.attr(Connection.KEY).set(connection);
        open.put(connection.id(), connection);
        return new ConnectionMeter(this, connection);
    }

    void remove(Connection connection, CloseReason reason) {
        open.remove(connection.id());
        Objects.requireNonNull(closed.get(reason)).increment();
    }

    /** How many connections have closed for {@code reason}. */
    public long closed(CloseReason reason) {
        return Objects.requireNonNull(closed.get(reason)).sum();
    }

    /** The open connections, oldest first: a snapshot whose counters go on moving. */
    public List<Connection> openConnections() {
        List<Connection> list = new ArrayList<>(open.values());
        list.sort(Comparator.comparingLong(Connection::id));
        return list;
    }

    /** The open connection with this id, or {@code null} if there is none (any more). */
    public @Nullable Connection get(long id) {
        return open.get(id);
    }

    /** How many connections are open. */
    public int openCount() {
        return open.size();
    }

    /** Bytes received from all clients, closed connections included. */
    public long bytesIn() {
        return bytesIn.sum();
    }

    /** Bytes written to all clients, closed connections included. */
    public long bytesOut() {
        return bytesOut.sum();
    }

    /** Messages received from all clients, for services that have messages. */
    public long messages() {
        return messages.sum();
    }

    /** The service's name. */
    public String service() {
        return service;
    }

    boolean announce() {
        return announce;
    }

    long nowMillis() {
        return clock.millis();
    }
}
