package dev.tcpkit.app.cli;

import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tcpkit serve SERVICE}: runs a ready-made service until stopped; each service is a subcommand. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        synopsisSubcommandLabel = "SERVICE",
        subcommands = {
            EchoCommand.class,
            ReplyCommand.class,
            LogCommand.class,
            ChatCommand.class,
            DiscardCommand.class,
            ForwardCommand.class,
            ExecCommand.class
        },
        description = {
            "Runs a ready-made service, serving many clients at once.",
            "Each service's options: tcpkit serve SERVICE --help.",
            "",
            "Messages go to stdout, one record a line: TIME CLIENT >>> TEXT.",
            "Events and diagnostics go to stderr. SIGTERM or Ctrl-C stops gracefully."
        },
        commandListHeading = "%nServices:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM or Ctrl-C (or --once) with every record written",
            "1:cannot listen (address in use, permission denied, ...), a TLS file that cannot be used, or records"
                    + " lost (an output failed, or the final flush did not finish within --drain-timeout)",
            "2:usage error"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  tcpkit serve echo --port 50007",
            "  tcpkit serve reply --reply 'ok' --port 8080",
            "  tcpkit serve log --encoding gbk --port 7788 --output messages.jsonl",
            "  tcpkit serve chat --port 7000 --admin-port 9090",
            "  tcpkit serve forward --port 8080 --to 127.0.0.1:80",
            "  tcpkit serve exec --port 7000 -- date"
        })
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** What is not a service's name lands here, to be refused in the words users know. */
    @Parameters(arity = "0..1", paramLabel = "SERVICE", hidden = true)
    @Nullable
    String unknown;

    /** Reached only without a known service: a usage error either way. */
    @Override
    public Integer call() {
        if (unknown == null) {
            throw new ParameterException(spec.commandLine(), "Missing required parameter: 'SERVICE'");
        }
        throw new ParameterException(
                spec.commandLine(),
                "Invalid value for positional parameter at index 0 (SERVICE): expected one of "
                        + spec.subcommands().keySet() + " (case-insensitive) but was '" + unknown + "'");
    }
}
