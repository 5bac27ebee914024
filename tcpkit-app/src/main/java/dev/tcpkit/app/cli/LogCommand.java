package dev.tcpkit.app.cli;

import dev.tcpkit.Services;
import dev.tcpkit.service.Service;
import dev.tcpkit.service.message.MessageService;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tcpkit serve log}: prints every message of every client. */
@Command(
        name = "log",
        description = {
            "Prints every message of every client with its address, until it leaves.",
            "Messages go to stdout, one record a line: TIME CLIENT >>> TEXT."
        },
        footer = {
            "  tcpkit serve log --encoding gbk --port 7788",
            "  tcpkit serve log --framing line --output messages.jsonl --port 7788",
            "  tcpkit serve log --udp --port 5514"
        })
final class LogCommand extends MessageServiceCommand {
    @Option(names = "--reply", paramLabel = "TEXT", description = "Answer to each message (default: none).")
    @Nullable
    String reply;

    @Mixin
    HexDumpOptions hexDump;

    @Mixin
    UdpOption udp = new UdpOption();

    @Override
    UdpOption udp() {
        return udp;
    }

    @Override
    Service newService() throws IOException {
        MessageService.Builder builder = Services.log();
        if (reply != null) {
            builder.reply(reply);
        }
        return hexDump.wrap(
                messages.build(builder, limits.maxLine, spec.commandLine().getOut(), kafka.sink(spec.commandLine())));
    }
}
