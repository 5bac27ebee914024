package dev.tcpkit.connection;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a UDP server did with the datagrams it saw: received (after its access rules and size limit), answered, sent,
 * and dropped by reason. Counted on the event loop, read from any thread (the admin endpoint, {@code /metrics}).
 * Bytes and messages are counted in the server's {@link ConnectionRegistry} totals, as a TCP server's are, so that
 * the admin page's rates show datagram traffic too.
 *
 * <p>The server's datagram channel carries its counters as the attribute {@link #KEY}: a service's handler counts
 * what it answers with {@code DatagramCounters.of(channel)}.
 */
public final class DatagramCounters {
    /** The channel attribute holding the counters of the UDP server the channel belongs to. */
    public static final AttributeKey<DatagramCounters> KEY = AttributeKey.valueOf("tcpkit.datagramCounters");

    /** Why a datagram was dropped without reaching the service, or without its answer. */
    public enum Drop {
        /** Its sender is refused by {@code --allow}/{@code --deny}. */
        DENIED,
        /** It is longer than the server's largest datagram ({@code --max-line}); the kernel cut it. */
        TOO_LONG,
        /** Its answer found the socket's send buffer full. */
        UNWRITABLE;

        /** The word {@code /api/stats} and {@code /metrics} show: {@code denied}, {@code too-long}, {@code unwritable}. */
        public String word() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final ConnectionRegistry registry;
    private final LongAdder received = new LongAdder();
    private final LongAdder sent = new LongAdder();
    private final LongAdder answered = new LongAdder();
    /** Filled once here, then only read: safe to share between threads. */
    private final EnumMap<Drop, LongAdder> dropped = new EnumMap<>(Drop.class);

    private final CompletableFuture<Void> firstAnswered = new CompletableFuture<>();

    /** @param registry the server's totals, to which datagrams add their bytes and count as messages */
    public DatagramCounters(ConnectionRegistry registry) {
        this.registry = registry;
        for (Drop drop : Drop.values()) {
            dropped.put(drop, new LongAdder());
        }
    }

    /**
     * The counters of the UDP server {@code channel} belongs to.
     *
     * @throws IllegalStateException if {@code channel} is not a UDP server's
     */
    public static DatagramCounters of(Channel channel) {
        DatagramCounters counters = channel.attr(KEY).get();
        if (counters == null) {
            throw new IllegalStateException("not a UDP server's channel: " + channel);
        }
        return counters;
    }

    /** A datagram of {@code bytes} passed the server's checks and goes to the service: one message. */
    void countReceived(int bytes) {
        received.increment();
        registry.bytesIn.add(bytes);
        registry.messages.increment();
    }

    /** A datagram of {@code bytes} is being sent. */
    void countSent(int bytes) {
        sent.increment();
        registry.bytesOut.add(bytes);
    }

    /** A datagram was dropped. */
    public void countDropped(Drop why) {
        Objects.requireNonNull(dropped.get(why)).increment();
    }

    /**
     * The service is done with a datagram: its answer is sent (echo, reply), its record written (log) or it was
     * dropped as asked (discard).
     */
    public void countAnswered() {
        answered.increment();
        firstAnswered.complete(null);
    }

    /** Completes when the first datagram has been answered: where a {@code once} server stops. */
    public CompletionStage<Void> firstAnswered() {
        return firstAnswered;
    }

    public long received() {
        return received.sum();
    }

    public long sent() {
        return sent.sum();
    }

    public long answered() {
        return answered.sum();
    }

    public long dropped(Drop why) {
        return Objects.requireNonNull(dropped.get(why)).sum();
    }
}
