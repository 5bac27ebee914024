package dev.tcpkit.app.cli;

import dev.tcpkit.Services;
import dev.tcpkit.service.Service;
import dev.tcpkit.service.message.MessageService;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tcpkit serve reply}: prints each message and answers it. */
@Command(
        name = "reply",
        description = {
            "Sends an optional banner; prints each message, answers it, and closes after the first.",
            "With --udp, prints and answers every datagram.",
            "Messages go to stdout, one record a line: TIME CLIENT >>> TEXT."
        },
        footer = {
            "  tcpkit serve reply --port 8080",
            "  tcpkit serve reply --banner byebye --reply '' --port 31500",
            "  tcpkit serve reply --reply 'ok' --keep-open --framing line --port 8989",
            "  tcpkit serve reply --udp --reply 'ok' --port 8989"
        })
final class ReplyCommand extends MessageServiceCommand {
    @Option(names = "--banner", paramLabel = "TEXT", description = "Text sent as soon as a client connects.")
    @Nullable
    String banner;

    @Option(
            names = "--reply",
            paramLabel = "TEXT",
            description =
                    "Answer to each message; empty sends nothing (default: '" + MessageService.DEFAULT_REPLY + "').")
    @Nullable
    String reply;

    @Option(names = "--keep-open", description = "Keep the connection open after the first message.")
    boolean keepOpen;

    @Mixin
    UdpOption udp = new UdpOption();

    @Override
    UdpOption udp() {
        return udp;
    }

    @Override
    Service newService() throws IOException {
        MessageService.Builder builder = Services.reply().keepOpen(keepOpen);
        if (banner != null) {
            builder.banner(banner);
        }
        if (reply != null) {
            builder.reply(reply);
        }
        return messages.build(builder, limits.maxLine, spec.commandLine().getOut(), kafka.sink(spec.commandLine()));
    }
}
