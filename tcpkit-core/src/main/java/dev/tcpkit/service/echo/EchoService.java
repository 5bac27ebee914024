package dev.tcpkit.service.echo;

import dev.tcpkit.connection.DatagramCounters;
import dev.tcpkit.pipeline.CloseOnInputShutdown;
import dev.tcpkit.service.Service;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;

/** Echo (RFC 862): sends every byte back, in order, until the client closes. */
public final class EchoService implements Service {
    @Override
    public String name() {
        return "echo";
    }

    @Override
    public void initChannel(Channel channel) {
        // Echo answers everything received before closing when the client stops sending.
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        channel.pipeline().addLast(name(), EchoHandler.INSTANCE).addLast(CloseOnInputShutdown.INSTANCE);
    }

    @Override
    public boolean servesDatagrams() {
        return true;
    }

    @Override
    public void initDatagramChannel(Channel channel) {
        channel.pipeline().addLast(name(), new DatagramEchoHandler(DatagramCounters.of(channel)));
    }
}
