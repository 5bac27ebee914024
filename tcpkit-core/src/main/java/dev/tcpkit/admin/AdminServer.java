package dev.tcpkit.admin;

import dev.tcpkit.connection.ConnectionRegistry;
import dev.tcpkit.connection.DatagramCounters;
import dev.tcpkit.connection.ServerCounters;
import dev.tcpkit.internal.Addresses;
import dev.tcpkit.options.BindFailedException;
import dev.tcpkit.options.Transport;
import dev.tcpkit.sink.SinkBacklog;
import dev.tcpkit.transport.SideServer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The admin endpoint of one server: {@code /} (the live status page), {@code /api/connections}, {@code /api/stats},
 * {@code /metrics}, {@code /health} (for a load balancer's check) and {@code POST /api/connections/{id}/close}, over
 * HTTP/1.1 on an event loop of its own.
 *
 * <p>Its own loop (see {@link SideServer}) rather than one of the server's: a scrape walks every open connection and
 * renders a few hundred meters, work that must not sit between a client's read and its echo, and the page must keep
 * answering while the server's loops are saturated, which is exactly when someone looks at it.
 */
public final class AdminServer implements AutoCloseable {
    /** Five minutes of per-second rates for the page's charts. */
    static final int HISTORY_SECONDS = 300;

    /**
     * Admin connections open at once: a browser opens six, a few scrapers one each. Past it the one that has waited
     * longest for a whole request is dropped ({@link AdminConnections}).
     */
    static final int MAX_CONNECTIONS = 64;
    /** The longest request line (method, path and query, version); longer is {@code 414}. */
    static final int MAX_REQUEST_LINE = 4096;
    /** The most header bytes of one request; more is {@code 431}. */
    static final int MAX_REQUEST_HEADERS = 8192;

    private static final String PAGE = "index.html";
    /** Nothing the endpoint serves takes a body; more is {@code 413}. */
    private static final int MAX_REQUEST_BODY = 8 * 1024;

    private final SideServer side;
    private final AdminConnections connections;
    private final AdminMetrics metrics;
    private final ScheduledFuture<?> sampler;
    private final String url;

    /**
     * What the admin endpoint shows of a server.
     *
     * @param service the service's name
     * @param address the listening address as the start-up line shows it
     * @param transport the transport in use
     * @param startedAt when the server started
     * @param connections the open connections and the traffic totals
     * @param counters the fate of every connection: accepted, refused, denied, cut
     * @param limits the server's limits, in display order, as {@link ConfiguredLimits} gives them
     * @param serviceMeters registers the service's own meters beside the server's
     * @param datagrams a UDP server's datagram counts, or {@code null} for a TCP server
     * @param draining whether the server is stopping: {@code /health} then answers 503
     * @param sinkBacklog the records on their way to a sink (Kafka), or {@code null} without one
     */
    public record View(
            String service,
            String address,
            Transport transport,
            Instant startedAt,
            ConnectionRegistry connections,
            ServerCounters counters,
            Map<String, @Nullable Object> limits,
            MeterBinder serviceMeters,
            @Nullable DatagramCounters datagrams,
            BooleanSupplier draining,
            @Nullable SinkBacklog sinkBacklog) {}

    private AdminServer(
            SideServer side,
            AdminConnections connections,
            AdminMetrics metrics,
            ScheduledFuture<?> sampler,
            String url) {
        this.side = side;
        this.connections = connections;
        this.metrics = metrics;
        this.sampler = sampler;
        this.url = url;
    }

    /**
     * Starts the admin endpoint for a running server.
     *
     * @throws BindFailedException if the admin address cannot be listened on
     */
    public static AdminServer start(AdminConfig config, View view) throws BindFailedException {
        AdminMetrics metrics =
                new AdminMetrics(view.service(), view.connections(), view.counters(), view.serviceMeters());
        if (view.datagrams() != null) {
            metrics.bindDatagrams(view.datagrams());
        }
        RateHistory history = new RateHistory(HISTORY_SECONDS);
        Clock clock = Clock.systemUTC();
        AdminHandler handler = new AdminHandler(
                view, metrics, history, config.token(), page(), clock, new HostCheck(config.allowedHosts()));
        AdminConnections connections = new AdminConnections(MAX_CONNECTIONS, config.requestTimeout());
        SideServer side;
        try {
            side = SideServer.bind(
                    "the admin endpoint",
                    config.bindHost(),
                    config.port(),
                    view.transport(),
                    "tcpkit-admin",
                    new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline()
                                    .addLast(new HttpServerCodec(MAX_REQUEST_LINE, MAX_REQUEST_HEADERS, 8192))
                                    .addLast(new RequestAggregator(MAX_REQUEST_BODY))
                                    .addLast(connections.newHandler())
                                    .addLast(handler);
                        }
                    });
        } catch (BindFailedException | RuntimeException e) {
            metrics.close();
            throw e;
        }
        // Sampled on the admin loop, which also reads the history when answering, so it needs no lock.
        ScheduledFuture<?> sampler = side.eventLoop()
                .scheduleAtFixedRate(
                        () -> history.sample(
                                clock.millis(),
                                view.counters().accepted(),
                                view.connections().bytesIn(),
                                view.connections().bytesOut()),
                        0,
                        1,
                        TimeUnit.SECONDS);
        String url = "http://" + Addresses.format(side.localAddress()) + "/";
        return new AdminServer(side, connections, metrics, sampler, url);
    }

    private static byte[] page() {
        try (InputStream in = AdminServer.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException("the admin page is missing from the jar: " + PAGE);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The address the endpoint listens on. */
    public InetSocketAddress localAddress() {
        return side.localAddress();
    }

    /** The status page's URL, e.g. {@code http://127.0.0.1:9090/}. */
    public String url() {
        return url;
    }

    /** Stops the endpoint and closes its connections. */
    @Override
    public void close() {
        sampler.cancel(false);
        // Closed on their loop before it stops, so that each connection's pipeline releases what it holds.
        side.eventLoop().submit(connections::closeAll).awaitUninterruptibly(5, TimeUnit.SECONDS);
        side.close();
        metrics.close();
    }
}
