package dev.tcpkit.stats;

import java.util.concurrent.atomic.LongAdder;

/**
 * What became of the connections a server saw: counted on the event loops, read from any thread (the start-up
 * and shutdown logs, the admin endpoint, {@code /metrics}).
 *
 * <p>Every accepted socket ends up in exactly one of {@link #accepted()}, {@link #refused()} or {@link #denied()}.
 * {@link #cut()} counts accepted connections that a limit later closed.
 */
public final class ServerCounters {
    private final LongAdder accepted = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder denied = new LongAdder();
    private final LongAdder cut = new LongAdder();

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
