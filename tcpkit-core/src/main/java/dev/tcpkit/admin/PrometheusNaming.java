package dev.tcpkit.admin;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Fixes the meters of Micrometer's binders whose Prometheus form {@code promtool check metrics} rejects, as they are
 * registered: Netty's allocator gauges get a description, a {@code _bytes} unit and a stable {@code id} (Micrometer
 * tags them with the allocator's identity hash, a new series on every start); {@code system.cpu.count} becomes {@code
 * system.cpus} (a {@code _count} suffix belongs to histograms and summaries); {@code process.cpu.time}, counted in
 * nanoseconds ({@code _ns}, an abbreviated unit), is left out: {@link AdminMetrics} registers the process's CPU time
 * in seconds instead, as {@code process_cpu_seconds_total}, the name Prometheus's own clients use.
 */
final class PrometheusNaming implements MeterFilter {
    /** The {@code id} tag of the one allocator bound: Netty's {@code ByteBufAllocator.DEFAULT}. */
    static final String ALLOCATOR_ID = "default";

    private static final String ALLOCATOR_PREFIX = "netty.allocator.";

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        return id.getName().equals("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        String name = id.getName();
        if (name.equals("system.cpu.count")) {
            return id.withName("system.cpus");
        }
        if (!name.startsWith(ALLOCATOR_PREFIX)) {
            return id;
        }
        List<Tag> tags = new ArrayList<>();
        for (Tag tag : id.getTagsAsIterable()) {
            tags.add(tag.getKey().equals("id") ? Tag.of("id", ALLOCATOR_ID) : tag);
        }
        @Nullable String description = id.getDescription();
        String unit = id.getBaseUnit();
        if (name.equals(ALLOCATOR_PREFIX + "memory.used")) {
            description = "Memory held by Netty's buffer allocator";
            unit = "bytes";
        } else if (name.equals(ALLOCATOR_PREFIX + "memory.pinned")) {
            description = "Memory of Netty's buffer allocator in use by buffers not yet released";
            unit = "bytes";
        } else if (description == null) { // the pooled allocator's arenas and caches
            description = "Netty's buffer allocator: " + name.substring(ALLOCATOR_PREFIX.length());
        }
        return new Meter.Id(name, Tags.of(tags), unit, description, id.getType());
    }
}
