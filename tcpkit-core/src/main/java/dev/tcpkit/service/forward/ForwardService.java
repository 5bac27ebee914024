package dev.tcpkit.service.forward;

import dev.tcpkit.service.Service;
import io.netty.channel.Channel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A TCP relay: each admitted connection is joined to a new connection to one of the upstreams (TCP, or Unix domain
 * stream sockets), dialled from the client's own event loop with the server's transport. The upstreams are taken in turn (round robin); a failed connect
 * tries the next, each at most once; when all fail, the client is closed and one line names every upstream and why.
 * An upstream whose connect failed is skipped for {@code retryAfter}, unless every one is.
 *
 * <p>Bytes pass unchanged both ways, with backpressure both ways (a slow reader on either end pauses reading from the
 * other); a half-close passes on in either direction, and a reset passes on as a reset.
 */
public final class ForwardService implements Service {
    private final Upstreams upstreams;
    private final Duration connectTimeout;

    private ForwardService(Upstreams upstreams, Duration connectTimeout) {
        this.upstreams = upstreams;
        this.connectTimeout = connectTimeout;
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
        new Relay(channel, upstreams, connectTimeout).start(name());
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

        /** How long an upstream whose connect failed is skipped (default 10 s). Not negative. */
        public Builder retryAfter(Duration retryAfter) {
            this.retryAfter = retryAfter;
            return this;
        }

        /**
         * Builds the service.
         *
         * @throws IllegalArgumentException without an upstream, or with a duration out of range
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
            return new ForwardService(new Upstreams(to, retryAfter, System::nanoTime), connectTimeout);
        }
    }
}
