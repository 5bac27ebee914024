package dev.tcpkit.app.cli;

import java.io.PrintWriter;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A usage error (unknown option, bad value) prints the problem, the command's synopsis and where to find more, then
 * exits 2: short enough to see the problem at a glance, unlike a full help page.
 */
final class UsageErrorHandler implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println(ex.getMessage());
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.print(cmd.getHelp().fullSynopsis());
        err.printf(
                Locale.ROOT,
                "Try '%s --help' for more information.%n",
                cmd.getCommandSpec().qualifiedName());
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }
}
