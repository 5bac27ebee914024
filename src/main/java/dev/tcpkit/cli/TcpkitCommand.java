package dev.tcpkit.cli;

import dev.tcpkit.internal.StdStreams;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tcpkit}: the top command; its subcommands do the work. */
@Command(
        name = "tcpkit",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "TCP server and client toolkit: ready-made services, a netcat-style client, a load generator.",
        subcommands = {ServeCommand.class, ConnectCommand.class, BenchCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:runtime failure (port in use, refused, unknown host, ...)",
            "2:usage error",
            "3:bench: the run finished but counted errors"
        })
final class TcpkitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** Without a subcommand there is nothing to do: show what there is, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return spec.exitCodeOnInvalidInput();
    }

    /** The command line wired to the process's stdout and stderr in the terminal's charset. */
    static CommandLine newCommandLine() {
        return newCommandLine(StdStreams.stdoutWriter(), StdStreams.stderrWriter());
    }

    /** The command line printing to the given writers, as tests use it. */
    static CommandLine newCommandLine(PrintWriter out, PrintWriter err) {
        CommandLine cmd = new CommandLine(new TcpkitCommand());
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setExecutionExceptionHandler(new FailureHandler());
        cmd.setParameterExceptionHandler(new UsageErrorHandler());
        return cmd;
    }
}
