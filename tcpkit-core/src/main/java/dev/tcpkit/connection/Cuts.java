package dev.tcpkit.connection;

import dev.tcpkit.internal.RateLimitedLog;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes an admitted connection that went past a limit (idle timeout, {@code --max-line}, ...), counting it in the
 * server's {@link ServerCounters#cut()} and logging which limit cut whom, at most one line a second across the server.
 * A server's guard attaches its {@code Cuts} to each connection it admits, so a service's handler can cut with
 * {@link #cut(Channel, CloseReason, String)} without holding a reference to the server.
 */
public final class Cuts {
    private static final AttributeKey<Cuts> KEY = AttributeKey.valueOf(Cuts.class, "cuts");
    private static final Logger log = LoggerFactory.getLogger(Cuts.class);

    private final ServerCounters counters;
    private final RateLimitedLog lines;

    /**
     * @param logger the logger of the server's rate-limited {@code cut} lines
     * @param nanoTime the clock that spaces those lines
     */
    public Cuts(ServerCounters counters, String logger, LongSupplier nanoTime) {
        this.counters = counters;
        this.lines = new RateLimitedLog(LoggerFactory.getLogger(logger), "cut", nanoTime);
    }

    /** Lets the handlers of an admitted connection cut it through this server's counters and log. */
    public void attachTo(Channel channel) {
        channel.attr(KEY).set(this);
    }

    /**
     * Closes {@code channel} for breaking a limit.
     *
     * @param reason the limit, one of the {@link CloseReason#isCut() cuts}
     * @param detail the limit in full, naming its option: {@code "line longer than 65536 bytes (--max-line)"}
     */
    @SuppressWarnings("FutureReturnValueIgnored") // closing is all there is to do; a failed close has nothing to add
    public static void cut(Channel channel, CloseReason reason, String detail) {
        report(channel, reason, detail);
        channel.close();
    }

    /**
     * Gives the reason, counts and logs a cut that the caller carries out itself: a service that first tells the
     * client why, then closes the connection once that is sent (the chat room does). A connection that already had a
     * reason to close is not cut again: it is neither counted nor logged twice.
     *
     * @param reason as for {@link #cut(Channel, CloseReason, String)}
     * @param detail as for {@link #cut(Channel, CloseReason, String)}
     */
    public static void report(Channel channel, CloseReason reason, String detail) {
        if (!reason.isCut()) {
            throw new IllegalArgumentException(reason + " is not a limit");
        }
        Connection connection = Connection.of(channel);
        if (connection != null && !connection.closeReason(reason, detail)) {
            return;
        }
        Cuts cuts = channel.attr(KEY).get();
        if (cuts != null) {
            cuts.counters.countCut();
            cuts.lines.log(ClientAddress.format(channel), detail, reason.word());
        } else {
            // A channel no guard admitted (a handler tested on its own): nothing to count, still say why.
            log.info("cut {}: {}", ClientAddress.format(channel), detail);
        }
    }
}
