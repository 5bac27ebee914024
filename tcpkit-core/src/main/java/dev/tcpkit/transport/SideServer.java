package dev.tcpkit.transport;

import dev.tcpkit.internal.Addresses;
import dev.tcpkit.internal.Errors;
import dev.tcpkit.options.BindFailedException;
import dev.tcpkit.options.Transport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

/**
 * A small listening socket on one event loop of its own, for a side service of a server such as the admin endpoint.
 *
 * <p>Its own thread keeps the side service off the server's event loops: a scrape or a page refresh, which walks
 * every open connection, never delays a client's bytes, and the side service still answers when the server's loops
 * are saturated.
 */
public final class SideServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel channel;

    private SideServer(EventLoopGroup group, Channel channel) {
        this.group = group;
        this.channel = channel;
    }

    /**
     * Binds {@code host:port} and serves each accepted connection with {@code childHandler}.
     *
     * @param purpose what the socket is for, in the error message, e.g. {@code "the admin endpoint"}
     * @param transport the transport, as resolved for the main server
     * @param threadName the event loop's thread name
     * @param childHandler a {@code @Sharable} handler, typically a {@code ChannelInitializer}
     * @throws BindFailedException if the address cannot be listened on
     */
    public static SideServer bind(
            String purpose, String host, int port, Transport transport, String threadName, ChannelHandler childHandler)
            throws BindFailedException {
        String unbracketed = Addresses.unbracket(host);
        String display = Addresses.hostPort(unbracketed, port);
        InetSocketAddress address;
        try {
            address = new InetSocketAddress(InetAddress.getByName(unbracketed), port);
        } catch (UnknownHostException e) {
            throw new BindFailedException(display, purpose, "unknown host", e);
        }
        IoSupport io = IoSupport.resolve(transport);
        EventLoopGroup group = io.newGroup(1, new DefaultThreadFactory(threadName, true));
        ChannelFuture bound = Bootstraps.server(io, group)
                .childHandler(childHandler)
                .bind(address)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly();
            throw new BindFailedException(display, purpose, Errors.reason(bound.cause()), bound.cause());
        }
        return new SideServer(group, bound.channel());
    }

    /** The address actually bound, with the port the kernel chose for port 0. */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** The one event loop, for the side service's own periodic work. */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** Stops listening and closes every connection at once. Do not call from its event loop. */
    @Override
    public void close() {
        channel.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
