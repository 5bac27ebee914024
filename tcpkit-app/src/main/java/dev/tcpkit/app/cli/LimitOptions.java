package dev.tcpkit.app.cli;

import dev.tcpkit.TcpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Who gets in and how much they may take: the {@code Limits} section of every {@code serve} service's help. */
final class LimitOptions {
    @Option(
            names = "--max-connections",
            paramLabel = "N",
            description = "Most connections open at once; one more is accepted and closed at once (default: none;"
                    + " 256 for exec; 0: none).")
    @Nullable
    Integer maxConnections;

    @Option(
            names = "--max-connections-per-ip",
            paramLabel = "N",
            defaultValue = "0",
            description = "Most connections open at once from one client address (default: none).")
    int maxConnectionsPerIp;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            defaultValue = "0",
            converter = DurationConverter.class,
            description = "Close a connection after this long with nothing read or written (default: none).")
    Duration idleTimeout = Duration.ZERO;

    /** Every service accepts it (SPEC §2 lists it among the common options); echo and discard read no lines. */
    @Option(
            names = "--max-line",
            paramLabel = "SIZE",
            defaultValue = "64KiB",
            converter = ByteSizeConverter.class,
            description = "Longest line a service that reads lines takes (reply, log and chat); a longer one cuts the"
                    + " connection; with --udp, the largest datagram (default: ${DEFAULT-VALUE}).")
    int maxLine = 64 * 1024;

    @Option(
            names = "--allow",
            paramLabel = "CIDR",
            converter = CidrConverter.class,
            description = "Only clients in this block get in: 10.0.0.0/8, ::1, ... (repeatable).")
    List<String> allow = new ArrayList<>();

    @Option(
            names = "--deny",
            paramLabel = "CIDR",
            converter = CidrConverter.class,
            description = "Clients in this block are closed before any byte; wins over --allow (repeatable).")
    List<String> deny = new ArrayList<>();

    /** {@code --max-connections}, or the service's own cap when it is not given. */
    int maxConnections(int serviceDefault) {
        return maxConnections != null ? maxConnections : serviceDefault;
    }

    void applyTo(TcpServer.Builder builder, int defaultMaxConnections) {
        builder.maxConnections(maxConnections(defaultMaxConnections))
                .maxConnectionsPerIp(maxConnectionsPerIp)
                .idleTimeout(idleTimeout);
        allow.forEach(builder::allow);
        deny.forEach(builder::deny);
    }
}
