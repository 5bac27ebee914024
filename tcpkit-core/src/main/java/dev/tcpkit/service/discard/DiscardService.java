package dev.tcpkit.service.discard;

import dev.tcpkit.service.Service;
import io.netty.channel.Channel;

/** Discard (RFC 863): reads and drops everything until the client closes. */
public final class DiscardService implements Service {
    @Override
    public String name() {
        return "discard";
    }

    @Override
    public void initChannel(Channel channel) {
        channel.pipeline().addLast(name(), DiscardHandler.INSTANCE);
    }
}
