package dev.tcpkit.service.handler;

import dev.tcpkit.pipeline.CloseOnInputShutdown;
import dev.tcpkit.service.Service;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import java.util.function.Supplier;

/** Runs a user's own Netty handler: a new one from the supplier for every connection. */
public final class HandlerService implements Service {
    private final String name;
    private final Supplier<? extends ChannelHandler> handlers;

    /**
     * @param name a short name for logs and the start-up line
     * @param handlers supplies the handler for each new connection; a {@code @Sharable} handler may be returned
     *     every time, a stateful one must be new each time
     */
    public HandlerService(String name, Supplier<? extends ChannelHandler> handlers) {
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank");
        }
        this.name = name;
        this.handlers = handlers;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Adds the user's handler. When the client stops sending, the connection is closed once what the handler wrote
     * has been flushed (see {@link CloseOnInputShutdown}); a handler that wants to go on writing to a half-closed
     * connection handles {@code ChannelInputShutdownEvent} itself and does not pass it on.
     */
    @Override
    public void initChannel(Channel channel) {
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        channel.pipeline().addLast(name, handlers.get()).addLast(CloseOnInputShutdown.INSTANCE);
    }
}
