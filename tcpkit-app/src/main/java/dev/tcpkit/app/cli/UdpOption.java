package dev.tcpkit.app.cli;

import dev.tcpkit.TcpServer;
import dev.tcpkit.codec.Framing;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * {@code --udp}, a mixin of the services that can serve datagrams (echo, reply, log, discard). The
 * other services do not have it, so picocli says it does not apply to them.
 */
final class UdpOption {
    /** What needs a connection, refused with {@code --udp} in these words. */
    private static final List<String> NEED_A_CONNECTION = List.of(
            "--tls-cert",
            "--tls-key",
            "--tls-self-signed",
            "--tls-client-ca",
            "--tls-provider",
            "--proxy-protocol",
            "--proxy-from",
            "--idle-timeout",
            "--banner",
            "--keep-open",
            "--max-connections",
            "--max-connections-per-ip",
            "--backlog",
            "--hex-dump");

    @Option(
            names = "--udp",
            description = "Serve UDP: each datagram is one message, answered to its sender from the port it came to;"
                    + " --max-line is the largest datagram (longer ones are dropped), --once exits once the first is"
                    + " answered.")
    boolean udp;

    /** With {@code --udp}, an option that needs a connection is a usage error naming it. */
    void check(CommandSpec spec) {
        if (!udp) {
            return;
        }
        ParseResult parsed = spec.commandLine().getParseResult();
        for (String option : NEED_A_CONNECTION) {
            if (parsed.hasMatchedOption(option)) {
                throw needsAConnection(spec, option);
            }
        }
        if (parsed.matchedOptionValue("--framing", Framing.RAW) == Framing.LINE) {
            throw needsAConnection(spec, "--framing line");
        }
    }

    private static ParameterException needsAConnection(CommandSpec spec, String option) {
        return new ParameterException(spec.commandLine(), option + " needs a connection: it does not go with --udp");
    }

    /** Serves UDP if asked, with {@code maxLine} ({@code --max-line}) as the largest datagram. */
    void applyTo(TcpServer.Builder builder, int maxLine) {
        if (udp) {
            builder.udp(true).maxDatagram(maxLine);
        }
    }
}
