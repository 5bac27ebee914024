package dev.tcpkit.service;

import io.netty.channel.Channel;

/**
 * What a server does with each connection: installs its handlers on the connection's pipeline.
 *
 * <p>The server calls {@link #initChannel} on the connection's event loop once it is accepted and admitted; by then
 * the server's own handlers (limits, accounting) are already in place ahead of the service's, and the connection's
 * {@link dev.tcpkit.stats.Connection} entry can be found with {@code Connection.of(channel)}. A service holding
 * resources shared by its connections (an output file, a chat room) releases them in {@link #close}, which the
 * server calls after the last connection has closed.
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

    /** Flushes and releases what the service holds. Called once, after every connection has closed. */
    default void close() {}
}
