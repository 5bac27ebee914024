package dev.tcpkit.service;

import dev.tcpkit.sink.SinkBacklog;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * What a server does with each connection: installs its handlers on the connection's pipeline.
 *
 * <p>The server calls {@link #initChannel} on the connection's event loop once it is accepted and admitted; by then
 * the server's own handlers (limits, accounting) are already in place ahead of the service's, and the connection's
 * {@link dev.tcpkit.connection.Connection} entry can be found with {@code Connection.of(channel)}. A service holding
 * resources shared by its connections (an output file, a chat room) releases them in {@link #close(Duration)}, which
 * the server calls after the last connection has closed.
 *
 * <p>To run your own Netty handler, see {@code Services.handler(name, supplier)}.
 */
public interface Service {

    /** A short name for logs and the start-up line, e.g. {@code echo}. */
    String name();

    /**
     * Whether each connect and disconnect is an event worth logging at info level, as for {@code log}, whose job is
     * to show who comes and goes (default {@code false}: logged at debug, so a busy echo server stays quiet).
     */
    default boolean announcesConnections() {
        return false;
    }

    /** Adds this service's handlers to a newly accepted connection. Runs on that connection's event loop. */
    void initChannel(Channel channel);

    /**
     * Whether this service can serve datagrams ({@code TcpServer.Builder.udp}), each datagram one message answered to
     * its sender: echo, discard, reply and log can; a service that needs a connection cannot (the default).
     */
    default boolean servesDatagrams() {
        return false;
    }

    /**
     * Adds this service's handler to a UDP server's one channel, after the server's own stages (access rules, the
     * largest datagram, the meter): it reads a {@code DatagramPacket} from any client, sends any answer to the
     * packet's sender, and tells {@code DatagramCounters.of(channel).countAnswered()} when it is done with one, which
     * is where a {@code once} server stops. Runs on the channel's event loop, once; only if {@link
     * #servesDatagrams()}.
     *
     * @throws UnsupportedOperationException by default: the service needs a connection
     */
    default void initDatagramChannel(Channel channel) {
        throw new UnsupportedOperationException(name() + " does not serve datagrams");
    }

    /**
     * Registers the service's own meters (a relay's counts per upstream) on the admin endpoint's {@code /metrics},
     * once, when the endpoint starts; none by default. They should read counts the service keeps anyway, so that a
     * server without the admin endpoint pays nothing for them.
     */
    default void bindMeters(MeterRegistry registry) {}

    /**
     * Completes, with the reason, once the service can no longer do its job: its output failed, so no record it is
     * given can be written everywhere now. The server then stops at once, closing its connections with that reason
     * (see {@code TcpServer}). Never completes by default.
     */
    default CompletionStage<String> failure() {
        return new CompletableFuture<>();
    }

    /**
     * Reloads what the service took from files at start, for the server's {@code reload()} (the command line's
     * {@code SIGHUP}): reopens an output file that a log rotation renamed, re-reads its own certificates. Open
     * connections keep working. Called from the thread that reloads, never an event loop. Does nothing by default.
     *
     * @return what was reloaded, in a few words each ({@code "output file"}); empty if nothing
     * @throws IOException saying in one line why a reload failed; the service then keeps what it had
     */
    default List<String> reload() throws IOException {
        return List.of();
    }

    /**
     * The service's records on their way to its record sink (Kafka), for the admin page and {@code /metrics}; none by
     * default.
     */
    default @Nullable SinkBacklog sinkBacklog() {
        return null;
    }

    /**
     * Flushes and releases what the service holds, waiting at most about {@code timeout} for its outputs. Called once,
     * after every connection has closed.
     */
    default void close(Duration timeout) {}

    /**
     * Records the service received but did not write to every output: an output failed, or {@link #close} could not
     * write them in time (default 0). Final once {@code close} has returned.
     */
    default long lostRecords() {
        return 0;
    }
}
