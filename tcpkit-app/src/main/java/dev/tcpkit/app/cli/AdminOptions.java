package dev.tcpkit.app.cli;

import dev.tcpkit.TcpServer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The admin endpoint: the {@code Admin endpoint} section of every {@code serve} service's help. */
final class AdminOptions {
    @Option(
            names = "--admin-port",
            paramLabel = "PORT",
            description = "Serve the admin endpoint on PORT: live status page /, JSON /api/connections and /api/stats,"
                    + " Prometheus /metrics, POST /api/connections/ID/close; 0 = any free port (default: none).")
    @Nullable
    Integer adminPort;

    @Option(
            names = "--admin-host",
            paramLabel = "HOST",
            description = "Address of the admin endpoint (default: 127.0.0.1, this machine only).")
    @Nullable
    String adminHost;

    @Option(
            names = "--admin-token",
            paramLabel = "TOKEN",
            defaultValue = "${env:TCPKIT_ADMIN_TOKEN}",
            description = "Every admin request must carry TOKEN (Authorization: Bearer TOKEN, or ?token=TOKEN), else"
                    + " 401 (default: $TCPKIT_ADMIN_TOKEN, else none).")
    @Nullable
    String adminToken = System.getenv("TCPKIT_ADMIN_TOKEN");

    @Option(
            names = "--admin-allow-host",
            paramLabel = "NAME",
            description = "A host name the admin endpoint answers to, for a proxy or balancer that reaches it by name"
                    + " (repeatable). Without it only an IP address or localhost in the Host header is answered, else"
                    + " 421: a web page re-bound to this address (DNS rebinding) cannot read or close anything.")
    List<String> adminAllowHost = new ArrayList<>();

    /** The other admin options mean nothing without a port: say so rather than ignore them. */
    void check(CommandSpec spec) {
        if (adminPort != null) {
            return;
        }
        for (String option : List.of("--admin-host", "--admin-token", "--admin-allow-host")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw new ParameterException(spec.commandLine(), option + " needs --admin-port");
            }
        }
    }

    /** Whether requests must carry a token, as the start-up line says. */
    boolean tokenRequired() {
        return adminPort != null && adminToken != null;
    }

    void applyTo(TcpServer.Builder builder) {
        if (adminPort != null) {
            builder.admin(adminHost, adminPort).adminToken(adminToken);
            adminAllowHost.forEach(builder::adminAllowHost);
        }
    }
}
