package dev.tcpkit.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** A plain blocking listener on the loopback address: a test's stand-in upstream, independent of tcpkit's code. */
public final class LoopbackListener {
    private LoopbackListener() {}

    /** Listening on a free loopback port; {@code accept()} gives up after 10 s, so a test never hangs on it. */
    public static ServerSocket open() throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        server.setSoTimeout(10_000);
        return server;
    }
}
