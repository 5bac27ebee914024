package dev.tcpkit.service.forward;

import dev.tcpkit.internal.RateLimitedLog;
import dev.tcpkit.options.TlsSetupException;
import dev.tcpkit.options.TlsSource;
import dev.tcpkit.service.Service;
import dev.tcpkit.transport.Bootstraps;
import dev.tcpkit.transport.IoSupport;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolverGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * A TCP relay: each admitted connection is joined to a new connection to one of the upstreams (TCP, or Unix domain
 * stream sockets), dialled from the client's own event loop with the server's transport. The upstreams are taken in turn (round robin); a failed connect
 * tries the next, each at most once; when all fail, the client is closed and one line names every upstream and why.
 * An upstream whose connect failed is tried last for {@code retryAfter}: only when every other one fails too.
 *
 * <p>Host names are looked up without blocking the event loop ({@code /etc/hosts}, then DNS), on each connect. A
 * flood of clients while every upstream is down logs at most about one line a second.
 *
 * <p>Bytes pass unchanged both ways, with backpressure both ways (a slow reader on either end pauses reading from the
 * other); a half-close passes on in either direction, and a reset passes on as a reset.
 *
 * <p>Each upstream connection may start with a PROXY header naming the real client ({@link Builder#sendProxy}), and
 * may speak TLS ({@link Builder#upstreamTls}): a failed handshake counts as a failed connect. With TLS on the server
 * too, the service terminates TLS (plain upstreams), originates it (plain clients) or re-encrypts.
 */
public final class ForwardService implements Service {
    private final Upstreams upstreams;
    private final Duration connectTimeout;
    private final UpstreamPipeline upstreamPipeline;
    private final RateLimitedLog noUpstreamLog =
            new RateLimitedLog(LoggerFactory.getLogger(Relay.class), "closed", System::nanoTime);
    /** Made on the first connection, which tells the transport its lookups must use; one for the server's life. */
    private final AtomicReference<@Nullable AddressResolverGroup<InetSocketAddress>> resolver = new AtomicReference<>();

    private ForwardService(Upstreams upstreams, Duration connectTimeout, UpstreamPipeline upstreamPipeline) {
        this.upstreams = upstreams;
        this.connectTimeout = connectTimeout;
        this.upstreamPipeline = upstreamPipeline;
    }

    /** A builder: name at least one upstream with {@link Builder#to} or {@link Builder#toUnix}. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "forward";
    }

    @Override
    public void initChannel(Channel channel) {
        new Relay(channel, upstreams, connectTimeout, resolver(channel), noUpstreamLog, upstreamPipeline).start(name());
    }

    private AddressResolverGroup<InetSocketAddress> resolver(Channel channel) {
        AddressResolverGroup<InetSocketAddress> r = resolver.get();
        if (r != null) {
            return r;
        }
        AddressResolverGroup<InetSocketAddress> made = Bootstraps.resolver(IoSupport.of(channel));
        if (resolver.compareAndSet(null, made)) {
            return made;
        }
        made.close(); // another event loop's first connection won the race
        return Objects.requireNonNull(resolver.get());
    }

    /**
     * Per upstream ({@code upstream="host:port"}): {@code tcpkit_forward_upstream_connects_total}, {@code
     * _connect_failures_total} by {@code reason}, and {@code _bytes_total} by {@code direction} ({@code sent} to it,
     * {@code received} from it).
     */
    @Override
    public void bindMeters(MeterRegistry registry) {
        for (Upstream upstream : upstreams.all()) {
            upstream.meters().bindTo(registry, upstream.toString());
        }
    }

    /** Makes the upstream TLS context again, when it came from a {@link TlsSource}; open connections keep theirs. */
    @Override
    public List<String> reload() throws TlsSetupException {
        return upstreamPipeline.reloadTls() ? List.of("upstream tls") : List.of();
    }

    @Override
    public void close(Duration timeout) {
        AddressResolverGroup<InetSocketAddress> r = resolver.getAndSet(null);
        if (r != null) {
            r.close();
        }
    }

    /** The upstreams, in the order given: {@code host:port} or {@code unix:PATH} each. */
    public List<String> upstreams() {
        return upstreams.all().stream().map(Upstream::toString).toList();
    }

    /** Configures a {@link ForwardService}. */
    public static final class Builder {
        private final List<Upstream> to = new ArrayList<>();
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration retryAfter = Duration.ofSeconds(10);
        private @Nullable ProxyVersion sendProxy;
        private @Nullable SslContext upstreamTls;
        private @Nullable TlsSource upstreamTlsSource;
        private @Nullable String upstreamSni;

        private Builder() {}

        /**
         * Adds an upstream; each connection goes to the next in turn. The host is looked up on each connect.
         *
         * @throws IllegalArgumentException if the host is empty or the port not within 1–65535
         */
        public Builder to(String host, int port) {
            if (host.isBlank()) {
                throw new IllegalArgumentException("upstream host is empty");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("upstream port must be within 1-65535: " + port);
            }
            to.add(Upstream.tcp(host, port));
            return this;
        }

        /**
         * Adds a Unix domain stream socket upstream, taken in turn with the others (TCP ones too). The file is looked
         * for on each connect: a missing one fails that connect with "no such file or directory", one nobody listens
         * on with "connection refused".
         *
         * @throws IllegalArgumentException if the path is empty
         */
        public Builder toUnix(Path path) {
            if (path.toString().isEmpty()) {
                throw new IllegalArgumentException("upstream socket path is empty");
            }
            to.add(Upstream.unix(path));
            return this;
        }

        /** How long a connect to an upstream may take before the next is tried (default 5 s). Positive. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        /** How long an upstream whose connect failed is tried last (default 10 s). Not negative. */
        public Builder retryAfter(Duration retryAfter) {
            this.retryAfter = retryAfter;
            return this;
        }

        /**
         * Sends each upstream a PROXY header first, naming the client (under the server's PROXY protocol, the client
         * its header named) and the address it connected to; {@code null} (the default) sends none.
         */
        public Builder sendProxy(@Nullable ProxyVersion version) {
            this.sendProxy = version;
            return this;
        }

        /**
         * Speaks TLS to the upstreams with this client context, e.g. from {@code TlsContexts.client}; {@code null}
         * (the default) speaks plain TCP. The context decides what is verified; when it verifies the host name, the
         * certificate must name the {@link #upstreamSni SNI name}, else the upstream's host as given. The handshake may
         * take as long as the connect timeout; a failed one tries the next upstream.
         *
         * @throws IllegalArgumentException if {@code context} is a server's
         */
        public Builder upstreamTls(@Nullable SslContext context) {
            if (context != null && !context.isClient()) {
                throw new IllegalArgumentException("upstream TLS needs a client SslContext, not a server one");
            }
            this.upstreamTls = context;
            this.upstreamTlsSource = null;
            return this;
        }

        /**
         * Speaks TLS to the upstreams with the client context {@code source} makes, loaded now and again on each
         * {@code TcpServer.reload()} (new upstream connections take the new one): as {@link #upstreamTls(SslContext)},
         * with a client certificate or trusted CAs that can be renewed while the server runs.
         *
         * @throws TlsSetupException if {@code source} cannot make a context now
         * @throws IllegalArgumentException if it makes a server's
         */
        public Builder upstreamTls(TlsSource source) throws TlsSetupException {
            upstreamTls(source.load());
            this.upstreamTlsSource = source;
            return this;
        }

        /**
         * The host name sent in TLS's SNI to every upstream and expected in its certificate; {@code null} (the default)
         * sends the upstream's host when it is a name, and none for an IP address.
         *
         * @throws IllegalArgumentException if {@code name} is not a host name
         */
        public Builder upstreamSni(@Nullable String name) {
            if (name != null) {
                try {
                    new SNIHostName(name);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("upstream sni must be a host name: " + name, e);
                }
            }
            this.upstreamSni = name;
            return this;
        }

        /**
         * Builds the service.
         *
         * @throws IllegalArgumentException without an upstream, with a duration out of range, or with an SNI name but
         *     no TLS
         */
        public ForwardService build() {
            if (to.isEmpty()) {
                throw new IllegalArgumentException("no upstream: name at least one");
            }
            if (connectTimeout.isNegative() || connectTimeout.isZero()) {
                throw new IllegalArgumentException("connect timeout must be positive: " + connectTimeout);
            }
            if (retryAfter.isNegative()) {
                throw new IllegalArgumentException("retry-after must not be negative: " + retryAfter);
            }
            if (upstreamSni != null && upstreamTls == null) {
                throw new IllegalArgumentException("upstream sni needs upstream TLS");
            }
            return new ForwardService(
                    new Upstreams(to, retryAfter, System::nanoTime),
                    connectTimeout,
                    new UpstreamPipeline(sendProxy, upstreamTls, upstreamTlsSource, upstreamSni, connectTimeout));
        }
    }
}
