package dev.tcpkit.admin;

import dev.tcpkit.guard.Cidr;
import dev.tcpkit.guard.GuardConfig;
import dev.tcpkit.internal.Durations;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.transport.ServerConfig;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * A server's limits as the admin page and {@code /api/stats} show them: in display order, each as the text a person
 * reads, with {@code none} for what is unlimited and the blocks of access rules joined.
 */
public final class ConfiguredLimits {
    private ConfiguredLimits() {}

    /** The limits of a server built from {@code server} and {@code guard}, serving TLS with {@code tls} if not null. */
    public static Map<String, String> of(ServerConfig server, GuardConfig guard, @Nullable TlsProvider tls) {
        Map<String, String> limits = new LinkedHashMap<>();
        limits.put("backlog", String.valueOf(server.backlog()));
        limits.put(
                "event-loop threads",
                String.valueOf(
                        server.threads() > 0
                                ? server.threads()
                                : Runtime.getRuntime().availableProcessors()));
        limits.put("drain timeout", server.drainTimeout().toMillis() + " ms");
        limits.put("shutdown delay", server.shutdownDelay().toMillis() + " ms");
        limits.put("max connections", orNone(guard.maxConnections()));
        limits.put("max connections per IP", orNone(guard.maxConnectionsPerIp()));
        limits.put("idle timeout", guard.idleTimeout().isZero() ? "none" : Durations.format(guard.idleTimeout()));
        if (!guard.allow().isEmpty()) {
            limits.put("allow", joined(guard.allow()));
        }
        if (!guard.deny().isEmpty()) {
            limits.put("deny", joined(guard.deny()));
        }
        if (guard.proxyProtocol()) {
            limits.put("PROXY protocol from", joined(guard.proxyFrom()));
        }
        if (tls != null) {
            limits.put("TLS", tls.displayName());
        }
        if (server.once()) {
            limits.put("once", "one connection, then exit");
        }
        return Collections.unmodifiableMap(limits);
    }

    private static String orNone(int limit) {
        return limit == 0 ? "none" : String.valueOf(limit);
    }

    private static String joined(List<Cidr> blocks) {
        return blocks.stream().map(Cidr::toString).collect(Collectors.joining(", "));
    }
}
