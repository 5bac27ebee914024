package dev.tcpkit.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;

/** PROXY protocol headers as a proxy sends them, for clients that pretend to be HAProxy. */
public final class ProxyHeaders {
    private ProxyHeaders() {}

    /** A v1 (text) header for a TCP connection from {@code source}:{@code sourcePort}; IPv4 or IPv6 by the literal. */
    public static byte[] v1(String source, int sourcePort) {
        String family = source.indexOf(':') >= 0 ? "TCP6" : "TCP4";
        String destination = family.equals("TCP6") ? "::1" : "127.0.0.1";
        return ("PROXY " + family + " " + source + " " + destination + " " + sourcePort + " 443\r\n")
                .getBytes(US_ASCII);
    }

    /** A v2 (binary) PROXY header for a TCP connection from {@code source}:{@code sourcePort}. */
    public static byte[] v2(String source, int sourcePort) {
        boolean v6 = source.indexOf(':') >= 0;
        return encode(new HAProxyMessage(
                HAProxyProtocolVersion.V2,
                HAProxyCommand.PROXY,
                v6 ? HAProxyProxiedProtocol.TCP6 : HAProxyProxiedProtocol.TCP4,
                source,
                v6 ? "::1" : "127.0.0.1",
                sourcePort,
                443));
    }

    /** A v2 LOCAL header: the proxy's own connection, a health check, naming no client. */
    public static byte[] v2Local() {
        return encode(new HAProxyMessage(
                HAProxyProtocolVersion.V2, HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0));
    }

    private static byte[] encode(HAProxyMessage message) {
        EmbeddedChannel encoder = new EmbeddedChannel(HAProxyMessageEncoder.INSTANCE);
        encoder.writeOutbound(message);
        ByteBuf encoded = encoder.readOutbound();
        try {
            return ByteBufUtil.getBytes(encoded);
        } finally {
            encoded.release();
            encoder.finishAndReleaseAll();
        }
    }
}
