package dev.tcpkit.connection;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * What became of the connections a server saw: counted on the event loops, read from any thread (the start-up
 * and shutdown logs, the admin endpoint, {@code /metrics}).
 *
 * <p>Every accepted socket ends up in exactly one of {@link #accepted()}, {@link #refused()} or {@link #denied()}.
 * {@link #cut()} counts accepted connections that a limit later closed.
 *
 * <p>Every connection a server accepts carries its server's counters as the attribute {@link #KEY}, so a service's
 * handler can count what it cuts: {@code ServerCounters.of(channel)}.
 */
public final class ServerCounters {
    /** The channel attribute holding the counters of the server that accepted the connection. */
    public static final AttributeKey<ServerCounters> KEY = AttributeKey.valueOf("tcpkit.serverCounters");

    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LongAdder cut = new LongAdder();

    /** Counters at zero, for a server about to start. */
    public ServerCounters() {}

    /** The counters of the server that accepted {@code channel}, or {@code null} outside a tcpkit server. */
    public static @Nullable ServerCounters of(Channel channel) {
        return channel.attr(KEY).get();
    }

    /** A connection was admitted and handed to the service. */
    public void countAccepted() {
        accepted.increment();
    }

    /** A connection was closed on arrival because a connection limit was reached (or the server was stopping). */
    public void countRefused() {
        refused.increment();
    }

    /**
     * A connection was closed on arrival by access control, before any byte was written to it or reached the service:
     * its address is not allowed, or (with the PROXY protocol) its peer is not a trusted proxy, or its header was
     * missing or malformed, or named a client that is not allowed.
     */
    public void countDenied() {
        denied.increment();
    }

    /** An admitted connection was closed by a limit: idle timeout, line too long, too much unsent output. */
    public void countCut() {
        cut.increment();
    }

    public long accepted() {
        return accepted.sum();
    }

    public long refused() {
        return refused.sum();
    }

    public long denied() {
        return denied.sum();
    }

    public long cut() {
        return cut.sum();
    }
}
