package dev.tcpkit.connection;

import java.util.Locale;

/**
 * Why an admitted connection ended: one per connection, the first given. Its {@link #word()} is what the disconnect
 * event's {@code reason}, the admin API's {@code closed} counts and the {@code tcpkit_connections_closed_total}
 * metric's {@code reason} label all say; the event's {@code detail} says it in full ("idle for 5s
 * (--idle-timeout)").
 *
 * <p>Connections turned away on arrival never reach a service and have no close reason: they are counted as
 * {@code refused} (a connection limit) or {@code denied} (access control, a PROXY header missing or not trusted).
 */
public enum CloseReason {
    /** The client closed the connection (or shut its sending side and the service was done with it). */
    CLIENT_CLOSED(false),
    /** The service was done: it answered (a {@code --once} reply), or the client asked to leave (chat's /quit). */
    SERVER_CLOSED(false),
    /** The client reset the connection. */
    PEER_RESET(false),
    /** Another socket error. */
    ERROR(false),
    /** The TLS handshake failed, or a TLS record could not be read. */
    TLS_FAILED(false),
    /** A limit: nothing read or written for {@code --idle-timeout}. */
    IDLE_TIMEOUT(true),
    /** A limit: a line longer than {@code --max-line}. */
    MAX_LINE(true),
    /** A limit: the client did not read what it was sent ({@code --max-queue}, {@code --send-timeout}). */
    SLOW_CONSUMER(true),
    /** Closed on request of the admin endpoint. */
    ADMIN_CLOSE(false),
    /** Still open when the server's {@code --drain-timeout} ran out. */
    DRAIN_TIMEOUT(false),
    /** The server stopped because it could no longer write its records. */
    OUTPUT_FAILED(false),
    /** A relay ({@code forward}) could connect to none of its upstreams; the detail names each and why. */
    UPSTREAM_FAILED(false),
    /** A record of the connection's was refused for good by the record sink (Kafka: not authorized, too large). */
    RECORD_REJECTED(true),
    /** A relay's ({@code forward}) upstream ended the connection: it closed first, or reset it, or failed. */
    UPSTREAM_CLOSED(false),
    /** The program ({@code exec}) exited and its output was delivered; the detail says {@code exit status N} or {@code killed by signal N}. */
    PROGRAM_EXITED(false);

    private final boolean cut;
    private final String word;

    CloseReason(boolean cut) {
        this.cut = cut;
        this.word = name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The reason as logs, the admin API and metrics name it: {@code idle-timeout}. */
    public String word() {
        return word;
    }

    /** Whether this is a limit the server enforces, counted as a cut ({@code idle-timeout}, ...). */
    public boolean isCut() {
        return cut;
    }
}
