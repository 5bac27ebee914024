package dev.tcpkit.app.cli;

import dev.tcpkit.Services;
import dev.tcpkit.service.Service;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tcpkit serve echo}: every byte back (RFC 862). */
@Command(
        name = "echo",
        description = "Sends every byte back, in order, until the client closes (RFC 862).",
        footer = {
            "  tcpkit serve echo --port 50007",
            "  tcpkit serve echo --port 0 --once --tls-self-signed",
            "  tcpkit serve echo --unix /tmp/echo.sock",
            "  tcpkit serve echo --udp --port 50007",
            "  tcpkit serve echo --port 50007 --hex-dump echo.hex"
        })
final class EchoCommand extends ServiceCommand {
    @Mixin
    UdpOption udp = new UdpOption();

    @Mixin
    HexDumpOptions hexDump;

    @Override
    UdpOption udp() {
        return udp;
    }

    @Override
    Service newService() throws IOException {
        return hexDump.wrap(Services.echo());
    }
}
