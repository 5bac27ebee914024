package dev.tcpkit.admin;

import com.sun.management.OperatingSystemMXBean;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.ConnectionRegistry;
import dev.tcpkit.connection.DatagramCounters;
import dev.tcpkit.connection.ServerCounters;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.lang.management.ManagementFactory;
import java.util.function.ToDoubleFunction;

/**
 * The {@code /metrics} page: the server's counters as Prometheus meters tagged with the service's name, the service's
 * own meters (a relay's per upstream), plus the JVM's (memory, GC, threads, classes, CPU, file descriptors, uptime)
 * and Netty's buffer allocator.
 *
 * <p>The server's meters read the counters when scraped; nothing is added to the connections' hot path.
 */
final class AdminMetrics implements AutoCloseable {
    /** The content type of Prometheus's text format, version 0.0.4. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Tags tags;

    AdminMetrics(String service, ConnectionRegistry connections, ServerCounters counters, MeterBinder serviceMeters) {
        tags = Tags.of("service", service);
        registry.config().meterFilter(new PrometheusNaming());
        Gauge.builder("tcpkit.connections.open", connections, ConnectionRegistry::openCount)
                .description("Connections open now")
                .tags(tags)
                .register(registry);
        counter("tcpkit.connections.accepted", "Connections accepted and served", counters, ServerCounters::accepted);
        counter(
                "tcpkit.connections.refused",
                "Connections closed on arrival by a limit",
                counters,
                ServerCounters::refused);
        counter(
                "tcpkit.connections.denied",
                "Connections closed on arrival by access control",
                counters,
                ServerCounters::denied);
        counter("tcpkit.connections.cut", "Connections closed by a limit while served", counters, ServerCounters::cut);
        for (CloseReason reason : CloseReason.values()) {
            FunctionCounter.builder("tcpkit.connections.closed", connections, c -> c.closed(reason))
                    .description("Connections closed after they were served, by reason")
                    .tags(tags.and("reason", reason.word()))
                    .register(registry);
        }
        FunctionCounter.builder("tcpkit.received", connections, ConnectionRegistry::bytesIn)
                .description("Bytes received from clients")
                .baseUnit("bytes")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("tcpkit.sent", connections, ConnectionRegistry::bytesOut)
                .description("Bytes sent to clients")
                .baseUnit("bytes")
                .tags(tags)
                .register(registry);
        FunctionCounter.builder("tcpkit.messages", connections, ConnectionRegistry::messages)
                .description("Messages received (services that have messages: reply, log, chat)")
                .tags(tags)
                .register(registry);

        serviceMeters.bindTo(registry);

        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        processCpuTime();
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
            new NettyAllocatorMetrics(allocator).bindTo(registry);
        }
    }

    /** The JVM's CPU time, in seconds: {@link PrometheusNaming} leaves out Micrometer's, in nanoseconds. */
    private void processCpuTime() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                && os.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .description("CPU time used by the Java virtual machine process")
                    .baseUnit("seconds")
                    .register(registry);
        }
    }

    /** A UDP server's datagrams: received, answered, sent, and dropped by reason. */
    void bindDatagrams(DatagramCounters datagrams) {
        datagramCounter(
                "tcpkit.datagrams.received", "Datagrams given to the service", datagrams, DatagramCounters::received);
        datagramCounter(
                "tcpkit.datagrams.answered",
                "Datagrams the service is done with",
                datagrams,
                DatagramCounters::answered);
        datagramCounter("tcpkit.datagrams.sent", "Datagrams sent to clients", datagrams, DatagramCounters::sent);
        for (DatagramCounters.Drop drop : DatagramCounters.Drop.values()) {
            FunctionCounter.builder("tcpkit.datagrams.dropped", datagrams, d -> d.dropped(drop))
                    .description("Datagrams dropped, by reason")
                    .tags(tags.and("reason", drop.word()))
                    .register(registry);
        }
    }

    private void datagramCounter(
            String name, String description, DatagramCounters datagrams, ToDoubleFunction<DatagramCounters> f) {
        FunctionCounter.builder(name, datagrams, f)
                .description(description)
                .tags(tags)
                .register(registry);
    }

    private void counter(String name, String description, ServerCounters counters, ToDoubleFunction<ServerCounters> f) {
        FunctionCounter.builder(name, counters, f)
                .description(description)
                .tags(tags)
                .register(registry);
    }

    /** The current values in Prometheus's text format. */
    String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
