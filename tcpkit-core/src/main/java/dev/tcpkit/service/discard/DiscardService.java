package dev.tcpkit.service.discard;

import dev.tcpkit.connection.DatagramCounters;
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

    @Override
    public boolean servesDatagrams() {
        return true;
    }

    @Override
    public void initDatagramChannel(Channel channel) {
        channel.pipeline().addLast(name(), new DatagramDiscardHandler(DatagramCounters.of(channel)));
    }
}
