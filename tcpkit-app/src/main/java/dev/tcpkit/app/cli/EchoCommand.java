package dev.tcpkit.app.cli;

import dev.tcpkit.Services;
import dev.tcpkit.service.Service;
import picocli.CommandLine.Command;

/** {@code tcpkit serve echo}: every byte back (RFC 862). */
@Command(
        name = "echo",
        description = "Sends every byte back, in order, until the client closes (RFC 862).",
        footer = {
            "  tcpkit serve echo --port 50007",
            "  tcpkit serve echo --port 0 --once --tls-self-signed",
            "  tcpkit serve echo --unix /tmp/echo.sock"
        })
final class EchoCommand extends ServiceCommand {
    @Override
    Service newService() {
        return Services.echo();
    }
}
