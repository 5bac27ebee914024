package dev.tcpkit.app.cli;

import dev.tcpkit.Services;
import dev.tcpkit.service.Service;
import dev.tcpkit.service.chat.ChatService;
import java.io.IOException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code tcpkit serve chat}: relays each line to every other client. */
@Command(
        name = "chat",
        description = {
            "Relays each line of each client to all the others as <name> text; /nick NAME, /who, /help, /quit.",
            "Messages go to stdout, one record a line: TIME CLIENT >>> TEXT."
        },
        footer = {
            "  tcpkit serve chat --port 7000 --admin-port 9090",
            "  tcpkit serve chat --encoding gbk --max-line-rate 20"
        })
final class ChatCommand extends MessageServiceCommand {
    @Option(
            names = "--max-queue",
            paramLabel = "SIZE",
            converter = ByteSizeConverter.class,
            description = "Most bytes waiting to be sent to one client (40 more counted per line); a client that does"
                    + " not read is disconnected past it (default: 1MiB).")
    @Nullable
    Integer maxQueue;

    @Option(
            names = "--max-line-rate",
            paramLabel = "N",
            description = "Most lines a second one client may send (a second's worth at once); past it, reading from"
                    + " that client pauses, nothing is dropped (default: none).")
    @Nullable
    Integer maxLineRate;

    /** The library takes 0 for no rate; here no rate is the option left out, so 0 is a mistake. */
    @Override
    void checkOptions() {
        if (maxLineRate != null && maxLineRate < 1) {
            throw new ParameterException(spec.commandLine(), "--max-line-rate must be >= 1: " + maxLineRate);
        }
    }

    @Override
    Service newService() throws IOException {
        ChatService.Builder builder = Services.chat();
        if (maxQueue != null) {
            builder.maxQueue(maxQueue);
        }
        if (maxLineRate != null) {
            builder.maxLineRate(maxLineRate);
        }
        return messages.build(builder, limits.maxLine, spec.commandLine().getOut(), kafka.sink(spec.commandLine()));
    }
}
