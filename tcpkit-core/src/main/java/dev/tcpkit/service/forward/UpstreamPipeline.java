package dev.tcpkit.service.forward;

import dev.tcpkit.connection.ClientAddress;
import dev.tcpkit.options.TlsSetupException;
import dev.tcpkit.options.TlsSource;
import dev.tcpkit.security.TlsErrors;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.jspecify.annotations.Nullable;

/**
 * What an upstream connection gets before the relay's bytes: the PROXY header naming the real client, then the TLS
 * handshake, in that order on the wire (a PROXY header always goes in the clear, ahead of TLS, as HAProxy sends it).
 * The relay's own handler is already in the upstream's pipeline; until the connection is ready it sees nothing of a
 * failed handshake (the failure is the dial's, which tries the next upstream).
 */
final class UpstreamPipeline {
    private static final String SSL = "upstream-tls";
    private static final String GATE = "upstream-gate";
    private static final String PROXY_ENCODER = "upstream-proxy-encoder";

    private final @Nullable ProxyVersion proxyVersion;
    /** Read once per upstream connection; {@link #reloadTls} replaces it. */
    private volatile @Nullable SslContext tls;

    private final @Nullable TlsSource tlsSource;
    private final @Nullable String sni;
    private final Duration handshakeTimeout;

    /**
     * @param sni the name sent in SNI and verified in the certificate; {@code null}: the upstream's host, when a name
     * @param handshakeTimeout how long the TLS handshake may take (the connect timeout)
     */
    UpstreamPipeline(
            @Nullable ProxyVersion proxyVersion,
            @Nullable SslContext tls,
            @Nullable TlsSource tlsSource,
            @Nullable String sni,
            Duration handshakeTimeout) {
        this.proxyVersion = proxyVersion;
        this.tls = tls;
        this.tlsSource = tlsSource;
        this.sni = sni;
        this.handshakeTimeout = handshakeTimeout;
    }

    /**
     * Makes the TLS context again from its source, for the upstream connections made from now on.
     *
     * @return whether there is a source to reload from
     * @throws TlsSetupException if it cannot make one, or makes a server's; the old context stays
     */
    boolean reloadTls() throws TlsSetupException {
        TlsSource source = tlsSource;
        if (source == null) {
            return false;
        }
        SslContext context = source.load();
        if (!context.isClient()) {
            throw new TlsSetupException("upstream TLS needs a client context, not a server one");
        }
        tls = context;
        return true;
    }

    /**
     * Sends the PROXY header and starts TLS on the just-connected {@code upstream}; the future succeeds when the relay
     * may pass bytes, or fails with why the upstream cannot be used.
     */
    // A failed header write fails the handshake, or the relay's first write.
    @SuppressWarnings("FutureReturnValueIgnored")
    Future<Channel> prepare(Channel client, Channel upstream, Upstream target) {
        if (proxyVersion != null) {
            ChannelPipeline pipeline = upstream.pipeline();
            pipeline.addFirst(PROXY_ENCODER, HAProxyMessageEncoder.INSTANCE);
            // Encoded at once, so the encoder can go before anything else is written.
            upstream.writeAndFlush(header(proxyVersion, client));
            pipeline.remove(PROXY_ENCODER);
        }
        Promise<Channel> ready = upstream.eventLoop().newPromise();
        SslContext tls = this.tls;
        if (tls == null) {
            return ready.setSuccess(upstream);
        }
        // Added to an active channel, the SslHandler starts the handshake now: after the header, ahead of the relay.
        upstream.pipeline().addFirst(GATE, new HandshakeGate(ready));
        SslHandler ssl = newSslHandler(tls, upstream, target);
        upstream.pipeline().addFirst(SSL, ssl);
        ssl.handshakeFuture().addListener((Future<Channel> done) -> {
            if (done.isSuccess()) {
                upstream.pipeline().remove(GATE);
                ready.trySuccess(upstream);
            } else {
                ready.tryFailure(done.cause()); // unless the gate saw the first cause
            }
        });
        return ready;
    }

    private SslHandler newSslHandler(SslContext tls, Channel upstream, Upstream target) {
        String host = target.host();
        String name =
                sni != null ? sni : NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host) ? null : host;
        // The peer host is what endpoint identification checks the certificate against: the SNI name when there is
        // one (the JDK's trust manager prefers it anyway), else the host dialled, an IP literal matching an IP SAN.
        SSLEngine engine = tls.newEngine(upstream.alloc(), name != null ? name : host, target.port());
        if (name != null) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(name)));
            engine.setSSLParameters(parameters);
        }
        SslHandler ssl = new SslHandler(engine);
        ssl.setHandshakeTimeoutMillis(handshakeTimeout.toMillis());
        return ssl;
    }

    /** Why {@link #prepare} failed, as the "no upstream" line shows it after the upstream: only TLS can fail it. */
    static String failure(Throwable cause) {
        return "tls: " + TlsErrors.reason(cause, "upstream");
    }

    /** The header naming the relay's client and where it connected to, as the upstream should see them. */
    private static HAProxyMessage header(ProxyVersion version, Channel client) {
        SocketAddress source = ClientAddress.of(client);
        SocketAddress destination = ClientAddress.destinationOf(client);
        if (!(source instanceof InetSocketAddress from) || !(destination instanceof InetSocketAddress to)) {
            // A client on a Unix socket: no address the header can carry, the upstream uses its own peer's.
            return new HAProxyMessage(
                    version.netty(), HAProxyCommand.PROXY, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
        }
        InetAddress fromIp = from.getAddress();
        InetAddress toIp = to.getAddress();
        boolean v4 = fromIp instanceof Inet4Address && toIp instanceof Inet4Address;
        return new HAProxyMessage(
                version.netty(),
                HAProxyCommand.PROXY,
                v4 ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6,
                text(fromIp, v4),
                text(toIp, v4),
                from.getPort(),
                to.getPort());
    }

    /** An address as the header writes it; in a TCP6 header, an IPv4 one as IPv4-mapped ({@code ::ffff:a.b.c.d}). */
    private static String text(InetAddress ip, boolean v4) {
        String text = NetUtil.toAddressString(ip);
        return v4 || !(ip instanceof Inet4Address) ? text : "::ffff:" + text;
    }

    /**
     * Keeps the relay's handler from seeing the handshake's failure, or a close during it, as its own; and ends the
     * handshake when the upstream does (an error, or the end of its input: a half-closed channel would otherwise wait
     * for the handshake timeout).
     */
    private static final class HandshakeGate extends ChannelInboundHandlerAdapter {
        private final Promise<Channel> ready;

        HandshakeGate(Promise<Channel> ready) {
            this.ready = ready;
        }

        @Override
        @SuppressWarnings("FutureReturnValueIgnored") // the dial closes it too, and reports why
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ready.tryFailure(cause); // a reset, say: more telling than the handshake's "closed" that follows
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            // The handshake failed, or the client went: the relay has nothing to pass on yet.
        }

        @Override
        @SuppressWarnings("FutureReturnValueIgnored") // the handshake future reports the close
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ctx.close();
            }
            // The handshake's own events are not the relay's.
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // Only handshake records are written yet: nothing for the relay's backpressure.
        }
    }
}
