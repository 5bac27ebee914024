package dev.tcpkit.sink;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A destination for records beside stdout and {@code --output}, such as a Kafka topic: the record writer
 * hands it each record's JSON (the same as {@code --output}'s line) once the record is on stdout and in the file, and
 * runs the record's acknowledgement only once the sink said it has it.
 *
 * <p>Called on the sink's own threads ({@code tcpkit-sink}, or {@code tcpkit-sink-1} and on with several
 * {@link #senders()}), never on an event loop: {@link #send} may wait a little (a full buffer), not indefinitely.
 */
public interface RecordSink {

    /** What the sink is, for a log line: {@code Kafka topic T}. Never a setting's value (it may be a secret). */
    String name();

    /**
     * Sends one record; {@code done} runs, on any thread, exactly once: with {@code null} once the sink has it for
     * good, or with the reason it never will (rejected for good). A record still undelivered at {@link #close} gets
     * no call.
     *
     * @param key the record's key: the client's {@code address:port}, so one connection's records keep their order
     * @param json the record as one JSON object in UTF-8, no line terminator: the sink's own from now on
     */
    void send(String key, byte[] json, Consumer<@Nullable Throwable> done);

    /**
     * How many threads may call {@link #send} at once: one by default. Records with the same key always come from the
     * same thread, in the order written, so a sink that keeps a key's order per calling thread keeps it overall.
     */
    default int senders() {
        return 1;
    }

    /** Registers the sink's own meters (the Kafka producer's) for {@code /metrics}; none by default. */
    default void bindMeters(MeterRegistry registry) {}

    /** Waits at most {@code timeout} for every record sent to be delivered, then lets go of the rest. */
    void close(Duration timeout);
}
