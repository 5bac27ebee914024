package dev.tcpkit;

import dev.tcpkit.connection.ConnectionRegistry;
import dev.tcpkit.guard.Guard;
import dev.tcpkit.security.ServerTls;
import dev.tcpkit.service.Service;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelInitializer;
import org.jspecify.annotations.Nullable;

/**
 * Assembles every accepted connection's pipeline. In order, from the socket inwards:
 *
 * <ol>
 *   <li>admission ({@link Guard}): access control and connection limits; with {@code --proxy-protocol} the PROXY
 *       header decoder, after which the checks apply to the client the header names. Nothing is read from or written
 *       to a client before it is admitted, and nothing below is added until it is.
 *   <li>the idle timeout, nearest the socket so that it sees every byte in or out and times out whatever the later
 *       stages wait for;
 *   <li>TLS, when the server has it: after admission, so that a denied client never sees a handshake byte;
 *   <li>the service's handlers.
 * </ol>
 */
@Sharable
final class ConnectionInitializer extends ChannelInitializer<Channel> {
    private final Guard guard;
    private final @Nullable ServerTls tls;
    private final ConnectionRegistry connections;
    private final Service service;

    ConnectionInitializer(Guard guard, @Nullable ServerTls tls, ConnectionRegistry connections, Service service) {
        this.guard = guard;
        this.tls = tls;
        this.connections = connections;
        this.service = service;
    }

    @Override
    protected void initChannel(Channel ch) {
        guard.admit(ch, this::serve);
    }

    /** The stages after admission, in pipeline order. */
    private void serve(Channel ch) {
        guard.addIdleTimeout(ch.pipeline());
        if (tls != null) {
            tls.addTo(ch);
        }
        connections.track(ch);
        service.initChannel(ch);
    }
}
