package dev.tcpkit.service.forward;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.LoopbackListener;
import dev.tcpkit.testing.ProxyHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code sendProxy}: what a test upstream reads first, decoded by Netty's own {@code HAProxyMessageDecoder}, for
 * IPv4 and IPv6 clients, with and without a PROXY header coming in.
 */
@Timeout(60)
final class ForwardProxyHeaderTest {
    private ExecutorService pool;

    @BeforeEach
    void pool() {
        pool = Executors.newCachedThreadPool();
    }

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    @ParameterizedTest
    @EnumSource(ProxyVersion.class)
    void anIpv4ClientIsNamedWithTheAddressItConnectedTo(ProxyVersion version) throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(version, false, "127.0.0.1", upstream.getLocalPort());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            Future<byte[]> received = receive(upstream);
            client.send("hello", US_ASCII);
            client.shutdownOutput();
            Received got = decode(received.get(10, TimeUnit.SECONDS));
            assertThat(got.version).isEqualTo(version.netty());
            assertThat(got.protocol).isEqualTo(HAProxyProxiedProtocol.TCP4);
            assertThat(got.source).isEqualTo("127.0.0.1");
            assertThat(got.sourcePort).isEqualTo(client.socket().getLocalPort());
            assertThat(got.destination).isEqualTo("127.0.0.1");
            assertThat(got.destinationPort).isEqualTo(server.port());
            assertThat(got.rest).isEqualTo("hello");
        }
    }

    @ParameterizedTest
    @EnumSource(ProxyVersion.class)
    void anIpv6ClientIsNamedInATcp6Header(ProxyVersion version) throws Exception {
        InetAddress v6 = ip("::1");
        assumeThat(bindable(v6)).as("IPv6 loopback").isTrue();
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(version, false, "::1", upstream.getLocalPort());
                LoopbackClient client = LoopbackClient.connect(v6, server.port())) {
            Future<byte[]> received = receive(upstream);
            client.send("six", US_ASCII);
            client.shutdownOutput();
            Received got = decode(received.get(10, TimeUnit.SECONDS));
            assertThat(got.protocol).isEqualTo(HAProxyProxiedProtocol.TCP6);
            assertThat(ip(got.source)).isEqualTo(ip("::1"));
            assertThat(got.sourcePort).isEqualTo(client.socket().getLocalPort());
            assertThat(ip(got.destination)).isEqualTo(ip("::1"));
            assertThat(got.destinationPort).isEqualTo(server.port());
            assertThat(got.rest).isEqualTo("six");
        }
    }

    @ParameterizedTest
    @EnumSource(ProxyVersion.class)
    void behindAProxyTheIncomingHeadersIpv4ClientAndDestinationArePassedOn(ProxyVersion version) throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(version, true, "127.0.0.1", upstream.getLocalPort());
                LoopbackClient proxy = LoopbackClient.connect(server.port())) {
            Future<byte[]> received = receive(upstream);
            proxy.send(ProxyHeaders.v1("203.0.113.7", 40001)); // destination 127.0.0.1:443
            proxy.send("behind", US_ASCII);
            proxy.shutdownOutput();
            Received got = decode(received.get(10, TimeUnit.SECONDS));
            assertThat(got.protocol).isEqualTo(HAProxyProxiedProtocol.TCP4);
            assertThat(got.source).isEqualTo("203.0.113.7");
            assertThat(got.sourcePort).isEqualTo(40001);
            assertThat(got.destination).isEqualTo("127.0.0.1");
            assertThat(got.destinationPort).isEqualTo(443);
            assertThat(got.rest).isEqualTo("behind");
        }
    }

    @ParameterizedTest
    @EnumSource(ProxyVersion.class)
    void behindAProxyTheIncomingHeadersIpv6ClientIsPassedOn(ProxyVersion version) throws Exception {
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(version, true, "127.0.0.1", upstream.getLocalPort());
                LoopbackClient proxy = LoopbackClient.connect(server.port())) {
            Future<byte[]> received = receive(upstream);
            proxy.send(ProxyHeaders.v2("2001:db8::7", 40002)); // destination [::1]:443
            proxy.send("v6 behind", US_ASCII);
            proxy.shutdownOutput();
            Received got = decode(received.get(10, TimeUnit.SECONDS));
            assertThat(got.protocol).isEqualTo(HAProxyProxiedProtocol.TCP6);
            assertThat(ip(got.source)).isEqualTo(ip("2001:db8::7"));
            assertThat(got.sourcePort).isEqualTo(40002);
            assertThat(ip(got.destination)).isEqualTo(ip("::1"));
            assertThat(got.destinationPort).isEqualTo(443);
            assertThat(got.rest).isEqualTo("v6 behind");
        }
    }

    @Test
    void theHeaderGoesFirstEvenWhenTheClientSpeaksBeforeTheUpstreamIsConnected() throws Exception {
        // The client's bytes are queued while the upstream is dialled; none may overtake the header.
        try (ServerSocket upstream = LoopbackListener.open();
                TcpServer server = forward(ProxyVersion.V1, false, "127.0.0.1", upstream.getLocalPort());
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            client.send("early", US_ASCII);
            Future<byte[]> received = receive(upstream);
            client.shutdownOutput();
            Received got = decode(received.get(10, TimeUnit.SECONDS));
            assertThat(got.command).isEqualTo(HAProxyCommand.PROXY);
            assertThat(got.rest).isEqualTo("early");
        }
    }

    private static TcpServer forward(ProxyVersion version, boolean proxyProtocol, String bind, int upstreamPort)
            throws Exception {
        ForwardService service = Services.forward()
                .to("127.0.0.1", upstreamPort)
                .connectTimeout(Duration.ofSeconds(2))
                .sendProxy(version)
                .build();
        return TcpServer.builder()
                .bind(bind, 0)
                .proxyProtocol(proxyProtocol)
                .service(service)
                .start();
    }

    private static boolean bindable(InetAddress address) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(address, 0));
            return address instanceof Inet6Address;
        } catch (IOException e) {
            return false;
        }
    }

    /** An IP literal as an address (v2 headers spell IPv6 in full: {@code 0:0:0:0:0:0:0:1}). */
    private static InetAddress ip(String literal) {
        InetAddress ip = io.netty.util.NetUtil.createInetAddressFromIpAddressString(literal);
        assertThat(ip).as(literal).isNotNull();
        return ip;
    }

    /** Everything the upstream reads, up to the client's half-close. */
    private Future<byte[]> receive(ServerSocket upstream) {
        return pool.submit(() -> {
            try (Socket s = upstream.accept()) {
                s.setSoTimeout(10_000);
                return s.getInputStream().readAllBytes();
            }
        });
    }

    /** The bytes as Netty's decoder reads them: one header, then the relayed bytes. */
    private static Received decode(byte[] bytes) {
        EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
        try {
            decoder.writeInbound(io.netty.buffer.Unpooled.wrappedBuffer(bytes));
            HAProxyMessage header = decoder.readInbound();
            assertThat(header).as("a PROXY header first").isNotNull();
            StringBuilder rest = new StringBuilder();
            ByteBuf more;
            while ((more = decoder.readInbound()) != null) {
                rest.append(more.toString(US_ASCII));
                more.release();
            }
            Received got = new Received(header, rest.toString());
            header.release();
            return got;
        } finally {
            decoder.finishAndReleaseAll();
        }
    }

    /** A decoded header and what followed it. */
    private static final class Received {
        final HAProxyProtocolVersion version;
        final HAProxyCommand command;
        final HAProxyProxiedProtocol protocol;
        final String source;
        final int sourcePort;
        final String destination;
        final int destinationPort;
        final String rest;

        Received(HAProxyMessage header, String rest) {
            this.version = header.protocolVersion();
            this.command = header.command();
            this.protocol = header.proxiedProtocol();
            this.source = header.sourceAddress();
            this.sourcePort = header.sourcePort();
            this.destination = header.destinationAddress();
            this.destinationPort = header.destinationPort();
            this.rest = rest;
        }
    }
}
