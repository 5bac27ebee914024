package dev.tcpkit.app.cli;

import dev.tcpkit.internal.StdStreams;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tcpkit}: the top command; its subcommands do the work. */
@Command(
        name = "tcpkit",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "TCP server and client toolkit: ready-made services, a netcat-style client, a load generator and"
                + " its merged report.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:runtime failure (port in use, refused, unknown host, records lost, ...)",
            "2:usage error",
            "3:bench: the run finished but counted errors"
        })
final class TcpkitCommand implements Callable<Integer> {
    /** The subcommands, in the order help lists them, each built from the arguments that follow its name. */
    private static final Map<String, Function<String[], Object>> SUBCOMMANDS = new LinkedHashMap<>();
    /** {@code tcpkit help [COMMAND]}: picocli's, the same text as {@code COMMAND --help}. */
    private static final String HELP = "help";
    /** The options that print the version and stop. */
    static final Set<String> VERSION = Set.of("-V", "--version");

    static {
        SUBCOMMANDS.put("serve", ServeCommand::commandLine);
        SUBCOMMANDS.put("connect", rest -> new ConnectCommand());
        SUBCOMMANDS.put("bench", rest -> new BenchCommand());
        SUBCOMMANDS.put("report", rest -> new ReportCommand());
        SUBCOMMANDS.put(HELP, rest -> new CommandLine.HelpCommand());
    }

    @Spec
    CommandSpec spec;

    /** Read by {@link VersionProvider}: picocli prints the version before any command runs. */
    @Option(
            names = "--verbose",
            description = "With --version: also which transports and TLS providers are available here, and why not.")
    boolean verbose;

    /** Without a subcommand there is nothing to do: show what there is, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return spec.exitCodeOnInvalidInput();
    }

    /** The command line for {@code args}, wired to the process's stdout and stderr in the terminal's charset. */
    static CommandLine newCommandLine(String... args) {
        return newCommandLine(StdStreams.stdoutWriter(), StdStreams.stderrWriter(), args);
    }

    /**
     * The command line for {@code args}, printing to the given writers, as tests use it.
     *
     * <p>Picocli builds a subcommand's model by reflecting over all its options, a good part of tcpkit's start-up
     * time: when {@code args} name a subcommand, only that one is built; {@code --version} needs none. Otherwise all
     * are, for help and errors.
     */
    static CommandLine newCommandLine(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cmd = new CommandLine(new TcpkitCommand());
        @Nullable Function<String[], Object> named = args.length > 0 ? SUBCOMMANDS.get(args[0]) : null;
        String[] rest = args.length > 0 ? Arrays.copyOfRange(args, 1, args.length) : args;
        if (named != null && !args[0].equals(HELP)) { // help describes the others: it needs them all
            cmd.addSubcommand(args[0], named.apply(rest));
        } else if (args.length == 0 || !VERSION.contains(args[0])) {
            SUBCOMMANDS.forEach((name, command) -> cmd.addSubcommand(name, command.apply(new String[0])));
        }
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setSubcommandsCaseInsensitive(true);
        cmd.setExecutionExceptionHandler(new FailureHandler());
        cmd.setParameterExceptionHandler(new UsageErrorHandler());
        return cmd;
    }
}
