package dev.tcpkit.cli;

import dev.tcpkit.internal.StdStreams;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code tcpkit}: prints usage when run without a subcommand. */
@Command(
        name = "tcpkit",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "TCP server and client toolkit: ready-made services, a netcat-style client.",
        subcommands = {ServeCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:runtime failure (port in use, refused, unknown host, ...)", "2:usage error"})
final class TcpkitCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
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
        return cmd;
    }
}
