package dev.tcpkit.app.cli;

import dev.tcpkit.Services;
import dev.tcpkit.service.Service;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tcpkit serve discard}: a sink (RFC 863). */
@Command(
        name = "discard",
        description = "Reads and drops everything (RFC 863): a sink for load tests.",
        footer = {
            "  tcpkit serve discard --port 9009",
            "  tcpkit serve discard --max-connections 1000 --admin-port 9090",
            "  tcpkit serve discard --udp --port 9009 --admin-port 9090"
        })
final class DiscardCommand extends ServiceCommand {
    @Mixin
    UdpOption udp = new UdpOption();

    @Override
    UdpOption udp() {
        return udp;
    }

    @Override
    Service newService() {
        return Services.discard();
    }
}
