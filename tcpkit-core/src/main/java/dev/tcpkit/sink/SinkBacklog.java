package dev.tcpkit.sink;

/**
 * The records a service has on their way to its {@link RecordSink} and not yet acknowledged by it, as the admin page,
 * {@code /api/stats} and {@code /metrics} show them: how many, and how long the oldest has waited.
 */
public interface SinkBacklog {

    /** The sink's {@link RecordSink#name()}. */
    String sink();

    /** Records given to the sink, or waiting to be, that it has neither delivered nor rejected yet. */
    long inFlight();

    /** How long the oldest record the sink has not delivered yet has waited for it, in milliseconds; 0 if none. */
    long oldestAgeMillis();
}
