package dev.tcpkit.sink;

import java.time.Duration;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A destination for records beside stdout and {@code --output}, such as a Kafka topic: the record writer
 * hands it each record's JSON (the same as {@code --output}'s line) once the record is on stdout and in the file, and
 * runs the record's acknowledgement only once the sink said it has it.
 *
 * <p>Called on the writer's thread, never on an event loop: {@link #send} may wait a little (a full buffer), not
 * indefinitely.
 */
public interface RecordSink {

    /**
     * Sends one record; {@code done} runs, on any thread, exactly once: with {@code null} once the sink has it for
     * good, or with the reason it never will (rejected for good).
     *
     * @param key the record's key: the client's {@code address:port}, so one connection's records keep their order
     * @param json the record as one JSON object, no line terminator
     */
    void send(String key, String json, Consumer<@Nullable Throwable> done);

    /** Waits at most {@code timeout} for every record sent to be delivered, then lets go; returns how many were not. */
    long close(Duration timeout);
}
