package dev.tcpkit.app.cli;

import dev.tcpkit.TcpServer;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The HAProxy PROXY header: the {@code PROXY protocol} section of every {@code serve} service's help. */
final class ProxyOptions {
    @Option(
            names = "--proxy-protocol",
            description = "Connections start with a PROXY v1/v2 header (HAProxy); its client is the one shown, "
                    + "limited and checked.")
    boolean proxyProtocol;

    @Option(
            names = "--proxy-from",
            paramLabel = "CIDR",
            converter = CidrConverter.class,
            description =
                    "With --proxy-protocol: the proxies trusted to send it (repeatable; default: 127.0.0.0/8 and ::1).")
    List<String> proxyFrom = new ArrayList<>();

    void check(CommandSpec spec) {
        if (!proxyFrom.isEmpty() && !proxyProtocol) {
            throw new ParameterException(spec.commandLine(), "--proxy-from needs --proxy-protocol");
        }
    }

    void applyTo(TcpServer.Builder builder) {
        builder.proxyProtocol(proxyProtocol);
        proxyFrom.forEach(builder::proxyFrom);
    }
}
