package dev.tcpkit.app.cli;

import dev.tcpkit.Services;
import dev.tcpkit.service.Service;
import dev.tcpkit.service.forward.ForwardService;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tcpkit serve forward --to HOST:PORT|unix:PATH}: a TCP relay. */
@Command(
        name = "forward",
        description = {
            "Relays each connection to an upstream, bytes unchanged both ways: the --to upstreams in turn;"
                    + " a failed connect tries the next; when all fail the client is closed.",
            "A half-close and a reset pass on in either direction."
        },
        footer = {
            "  tcpkit serve forward --port 8080 --to 127.0.0.1:80",
            "  tcpkit serve forward --port 5432 --to db1:5432 --to db2:5432 --connect-timeout 2s",
            "  tcpkit serve forward --port 2375 --to unix:/var/run/docker.sock"
        })
final class ForwardCommand extends ServiceCommand {
    @Option(
            names = "--to",
            paramLabel = "HOST:PORT|unix:PATH",
            required = true,
            converter = UpstreamConverter.class,
            description = "An upstream (repeatable), TCP or a Unix domain socket: each connection goes to the next in"
                    + " turn.")
    List<UpstreamConverter.Target> to = List.of();

    @Option(
            names = "--connect-timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long a connect to an upstream may take before the next is tried (default: 5s).")
    @Nullable
    Duration connectTimeout;

    @Option(
            names = "--to-retry-after",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long an upstream whose connect failed is skipped, unless every one is (default: 10s).")
    @Nullable
    Duration retryAfter;

    @Override
    Service newService() {
        ForwardService.Builder builder = Services.forward();
        for (UpstreamConverter.Target upstream : to) {
            upstream.addTo(builder);
        }
        if (connectTimeout != null) {
            builder.connectTimeout(connectTimeout);
        }
        if (retryAfter != null) {
            builder.retryAfter(retryAfter);
        }
        return builder.build();
    }
}
