package dev.tcpkit.app.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
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
    /** The services, in the order help lists them. */
    private static final Map<String, Supplier<Object>> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put("echo", EchoCommand::new);
        SERVICES.put("reply", ReplyCommand::new);
        SERVICES.put("log", LogCommand::new);
        SERVICES.put("chat", ChatCommand::new);
        SERVICES.put("discard", DiscardCommand::new);
        SERVICES.put("forward", ForwardCommand::new);
        SERVICES.put("exec", ExecCommand::new);
    }

    @Spec
    CommandSpec spec;

    /** What is not a service's name lands here, to be refused in the words users know. */
    @Parameters(arity = "0..1", paramLabel = "SERVICE", hidden = true)
    @Nullable
    String unknown;

    /**
     * {@code serve}'s command line for the arguments that follow it. Picocli reflects over every option of every
     * subcommand it is given, most of tcpkit's start-up before the port is open: when {@code args} name a service,
     * only that one is built. Otherwise all are, for help and errors.
     */
    static CommandLine commandLine(String... args) {
        CommandLine serve = new CommandLine(new ServeCommand());
        @Nullable Supplier<Object> named = args.length > 0 ? SERVICES.get(args[0].toLowerCase(Locale.ROOT)) : null;
        if (named != null) {
            serve.addSubcommand(named.get());
        } else {
            SERVICES.values().forEach(service -> serve.addSubcommand(service.get()));
        }
        return serve;
    }

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
