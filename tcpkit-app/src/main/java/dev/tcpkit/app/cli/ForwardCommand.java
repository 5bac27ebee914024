package dev.tcpkit.app.cli;

import dev.tcpkit.Services;
import dev.tcpkit.options.TlsSource;
import dev.tcpkit.service.Service;
import dev.tcpkit.service.forward.ForwardService;
import dev.tcpkit.service.forward.ProxyVersion;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code tcpkit serve forward --to HOST:PORT|unix:PATH}: a TCP relay. */
@Command(
        name = "forward",
        description = {
            "Relays each connection to an upstream, bytes unchanged both ways: the --to upstreams in turn;"
                    + " a failed connect tries the next; when all fail the client is closed.",
            "A half-close and a reset pass on in either direction (under TLS: close_notify, then the TCP half-close).",
            "With --tls-cert/--tls-key it terminates TLS; with --to-tls it speaks TLS to the upstreams; with both it"
                    + " re-encrypts."
        },
        footer = {
            "  tcpkit serve forward --port 8080 --to 127.0.0.1:80",
            "  tcpkit serve forward --port 5432 --to db1:5432 --to db2:5432 --connect-timeout 2s",
            "  tcpkit serve forward --port 443 --tls-cert cert.pem --tls-key key.pem --to 127.0.0.1:8080 --send-proxy v2",
            "  tcpkit serve forward --port 6379 --to redis.internal:6380 --to-tls --to-ca internal-ca.pem",
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
            description =
                    "How long an upstream whose connect failed is tried last, only when every other one fails (default: 10s).")
    @Nullable
    Duration retryAfter;

    @Option(
            names = "--send-proxy",
            paramLabel = "v1|v2",
            description = "Send each upstream a PROXY header first, naming the client (under --proxy-protocol, the"
                    + " one its header named) and the address it connected to.")
    @Nullable
    ProxyVersion sendProxy;

    @ArgGroup(validate = false, heading = "%nUpstream TLS:%n", order = 35)
    UpstreamTlsOptions upstreamTls = new UpstreamTlsOptions();

    @Mixin
    HexDumpOptions hexDump;

    @Override
    void checkOptions() {
        upstreamTls.check(spec);
    }

    @Override
    boolean speaksTlsToUpstreams() {
        return upstreamTls.toTls;
    }

    @Override
    Service newService() throws IOException {
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
        try {
            builder.upstreamSni(upstreamTls.toSni);
        } catch (IllegalArgumentException refused) {
            // The library names its own setting, which UsageErrors cannot match to this option's name.
            throw new ParameterException(spec.commandLine(), "--to-sni must be a host name: " + upstreamTls.toSni);
        }
        TlsSource upstreamContexts = upstreamTls.source(tls.tlsProvider);
        if (upstreamContexts != null) {
            builder.upstreamTls(upstreamContexts);
        }
        return hexDump.wrap(builder.sendProxy(sendProxy).build());
    }
}
