package dev.tcpkit.service.echo;

import dev.tcpkit.service.Service;
import io.netty.channel.Channel;

/** Echo (RFC 862): sends every byte back, in order, until the client closes. */
public final class EchoService implements Service {
    @Override
    public String name() {
        return "echo";
    }

    @Override
    public void initChannel(Channel channel) {
        channel.pipeline().addLast("echo", EchoHandler.INSTANCE);
    }
}
