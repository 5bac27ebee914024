package dev.tcpkit.admin;

import dev.tcpkit.guard.Cidr;
import dev.tcpkit.guard.GuardConfig;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.transport.ServerConfig;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A server's limits as {@code /api/stats} gives them, for programs: camelCase keys, counts as numbers, durations as
 * seconds ({@code drainTimeoutSeconds}), {@code null} where there is no limit, address blocks as lists. The admin
 * page turns them into text for people ({@code index.html}). Only the access rules, the PROXY protocol, TLS and
 * {@code once} that are configured appear.
 */
public final class ConfiguredLimits {
    private ConfiguredLimits() {}

    /** The limits of a server built from {@code server} and {@code guard}, serving TLS with {@code tls} if not null. */
    public static Map<String, @Nullable Object> of(ServerConfig server, GuardConfig guard, @Nullable TlsProvider tls) {
        Map<String, @Nullable Object> limits = new LinkedHashMap<>();
        limits.put("backlog", server.backlog());
        limits.put(
                "eventLoopThreads",
                server.threads() > 0 ? server.threads() : Runtime.getRuntime().availableProcessors());
        limits.put("drainTimeoutSeconds", seconds(server.drainTimeout()));
        limits.put("shutdownDelaySeconds", seconds(server.shutdownDelay()));
        limits.put("maxConnections", orNull(guard.maxConnections()));
        limits.put("maxConnectionsPerIp", orNull(guard.maxConnectionsPerIp()));
        limits.put("idleTimeoutSeconds", guard.idleTimeout().isZero() ? null : seconds(guard.idleTimeout()));
        if (!guard.allow().isEmpty()) {
            limits.put("allow", texts(guard.allow()));
        }
        if (!guard.deny().isEmpty()) {
            limits.put("deny", texts(guard.deny()));
        }
        if (guard.proxyProtocol()) {
            limits.put("proxyProtocolFrom", texts(guard.proxyFrom()));
        }
        if (tls != null) {
            limits.put("tls", tls.displayName());
        }
        if (server.once()) {
            limits.put("once", true);
        }
        return Collections.unmodifiableMap(limits);
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }

    private static @Nullable Integer orNull(int limit) {
        return limit == 0 ? null : limit;
    }

    private static List<String> texts(List<Cidr> blocks) {
        return blocks.stream().map(Cidr::toString).toList();
    }
}
