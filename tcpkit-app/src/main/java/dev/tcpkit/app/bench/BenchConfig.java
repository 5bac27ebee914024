package dev.tcpkit.app.bench;

import dev.tcpkit.app.client.ProxyUrl;
import dev.tcpkit.internal.Addresses;
import dev.tcpkit.options.Transport;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a bench run does.
 *
 * @param host the server's name or address
 * @param port the server's port
 * @param mode pingpong, stream or connect
 * @param connections how many connections to open
 * @param size bytes per message (pingpong, connect) or per chunk (stream)
 * @param duration how long to measure (connect: how long to hold the connections); {@code 0} with a {@code count}
 *     means no time limit
 * @param count messages to measure in all instead of a duration, shared out among the connections; {@code 0} = none;
 *     not in connect mode, where each connection echoes one message
 * @param warmup traffic before the measurement, not recorded
 * @param depth messages in flight per connection; {@code 0} = the mode's default ({@link #effectiveDepth()})
 * @param rate open loop: messages per second across all connections, each sent at its scheduled time (connect mode:
 *     connections opened per second); {@code 0} = closed loop, as fast as the echoes come back
 * @param threads event-loop threads; {@code 0} = one per CPU
 * @param transport the I/O transport
 * @param timeout connect timeout, and how long to wait for outstanding echoes at the end, or for any echo at all
 * @param progress whether to collect the per-second latency figures of live progress
 * @param udp pingpong over UDP: each connection is a connected datagram channel, each message one datagram; one not
 *     echoed within the timeout is counted lost and the run goes on
 * @param proxy the proxy every connection goes through, or {@code null} to connect directly
 */
public record BenchConfig(
        String host,
        int port,
        BenchMode mode,
        int connections,
        int size,
        Duration duration,
        long count,
        Duration warmup,
        int depth,
        double rate,
        int threads,
        Transport transport,
        Duration timeout,
        boolean progress,
        boolean udp,
        @Nullable ProxyUrl proxy) {
    /** The window of unechoed bytes per connection that {@code stream} keeps by default. */
    public static final int DEFAULT_STREAM_WINDOW = 256 * 1024;
    /** The most messages one connection has in flight by default in open loop ({@code rate > 0}). */
    public static final int DEFAULT_RATE_DEPTH = 128;
    /** The most messages one connection may have in flight. */
    public static final int MAX_DEPTH = 1 << 20;
    /** The largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM = 65_507;

    public BenchConfig {
        host = Addresses.unbracket(host);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be in 1..65535: " + port);
        }
        if (connections < 1) {
            throw new IllegalArgumentException("connections must be >= 1: " + connections);
        }
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1: " + size);
        }
        if (duration.isNegative() || (duration.isZero() && count == 0 && mode != BenchMode.CONNECT)) {
            throw new IllegalArgumentException("duration must be > 0 unless a count is given: " + duration);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0: " + count);
        }
        if (count > 0 && mode == BenchMode.CONNECT) {
            throw new IllegalArgumentException(
                    "count does not apply to connect mode (each connection echoes one message)");
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("warmup must be >= 0: " + warmup);
        }
        if (depth < 0 || depth > MAX_DEPTH) {
            throw new IllegalArgumentException("depth must be in 0.." + MAX_DEPTH + ": " + depth);
        }
        if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("rate must be >= 0: " + rate);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0: " + threads);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be > 0: " + timeout);
        }
        if (udp && mode != BenchMode.PINGPONG) {
            throw new IllegalArgumentException(
                    "udp does not apply to " + mode.displayName() + " mode (it needs connections): use pingpong");
        }
        if (udp && size > MAX_DATAGRAM) {
            throw new IllegalArgumentException(
                    "size must be <= " + MAX_DATAGRAM + " over UDP (the largest datagram): " + size);
        }
        if (udp && proxy != null) {
            throw new IllegalArgumentException("proxy does not apply to udp (a proxy tunnels connections)");
        }
    }

    /** A run that connects directly. */
    public BenchConfig(
            String host,
            int port,
            BenchMode mode,
            int connections,
            int size,
            Duration duration,
            long count,
            Duration warmup,
            int depth,
            double rate,
            int threads,
            Transport transport,
            Duration timeout,
            boolean progress,
            boolean udp) {
        this(
                host,
                port,
                mode,
                connections,
                size,
                duration,
                count,
                warmup,
                depth,
                rate,
                threads,
                transport,
                timeout,
                progress,
                udp,
                null);
    }

    /**
     * Messages in flight per connection: {@code depth} when given, else 1 for pingpong and connect, 256 KiB worth of
     * chunks for stream, and {@value #DEFAULT_RATE_DEPTH} in open loop.
     */
    public int effectiveDepth() {
        if (depth > 0) {
            return depth;
        }
        if (mode == BenchMode.STREAM) {
            return Math.max(1, DEFAULT_STREAM_WINDOW / size);
        }
        return rate > 0 && mode != BenchMode.CONNECT ? DEFAULT_RATE_DEPTH : 1;
    }

    /** {@code host:port} as users write it. */
    public String displayAddress() {
        return Addresses.hostPort(host, port);
    }
}
