package dev.tcpkit.app.cli;

import dev.tcpkit.Services;
import dev.tcpkit.service.Service;
import dev.tcpkit.service.exec.ExecService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tcpkit serve exec -- COMMAND [ARG...]}: a program per connection, as inetd runs one. */
@Command(
        name = "exec",
        description = {
            "Runs COMMAND (no shell: sh -c '...' for one) for each connection: what the client sends is its stdin,"
                    + " what it writes to stdout goes to the client; its stderr comes to tcpkit's stderr, each line"
                    + " prefixed with the client.",
            "Environment: tcpkit's, plus PROTO=TCP, TCPREMOTEIP, TCPREMOTEPORT (the real client with"
                    + " --proxy-protocol), TCPLOCALIP, TCPLOCALPORT.",
            "The client's half-close closes the program's stdin; when the program exits, its output is delivered"
                    + " and the connection closes. When the client goes first (a reset, or a write to it fails),"
                    + " the program and its children get SIGTERM, then SIGKILL after --kill-timeout.",
            "Without --max-connections, at most 256 programs run at once."
        },
        footer = {
            "  tcpkit serve exec --port 7000 -- date",
            "  tcpkit serve exec --port 7001 -- sh -c 'echo \"hello $TCPREMOTEIP\"; exec tr a-z A-Z'"
        })
final class ExecCommand extends ServiceCommand {
    /** The cap without {@code --max-connections}: a program is a process, and a flood of them hurts the machine. */
    static final int DEFAULT_MAX_PROGRAMS = 256;

    @Option(
            names = "--kill-timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "How long a program whose client went away has after SIGTERM before SIGKILL" + " (default: 5s).")
    @Nullable
    Duration killTimeout;

    @Parameters(
            arity = "1..*",
            paramLabel = "COMMAND",
            description = "The program (found on PATH without a /), then its arguments; put -- before it.")
    List<String> command = new ArrayList<>();

    @Override
    int defaultMaxConnections() {
        return DEFAULT_MAX_PROGRAMS;
    }

    @Override
    String startupNote(int maxConnections) {
        return maxConnections == 0
                ? ", programs at once: no limit"
                : String.format(Locale.ROOT, ", at most %d programs at once", maxConnections);
    }

    @Override
    Service newService() {
        ExecService.Builder builder = Services.exec(command);
        if (killTimeout != null) {
            builder.killTimeout(killTimeout);
        }
        return builder.build();
    }
}
