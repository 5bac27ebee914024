package dev.tcpkit.app.cli;

import java.io.PrintWriter;
import java.util.Collection;
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
        err.println(problem(ex));
        UnmatchedArgumentException.printSuggestions(ex, err);
        err.print(cmd.getHelp().fullSynopsis());
        err.printf(
                Locale.ROOT,
                "Try '%s --help' for more information.%n",
                cmd.getCommandSpec().qualifiedName());
        err.flush();
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /**
     * The problem in one line. An option that another {@code serve} service takes is not unknown to the user: it
     * does not apply to this service, and saying so names the service. Only the service run was built for the run
     * (start-up time), so all of them are built here to look.
     */
    private static String problem(ParameterException ex) {
        CommandLine cmd = ex.getCommandLine();
        CommandLine parent = cmd.getParent();
        if (ex instanceof UnmatchedArgumentException unmatched
                && parent != null
                && parent.getCommand() instanceof ServeCommand) {
            Collection<CommandLine> services =
                    ServeCommand.commandLine().getSubcommands().values();
            for (String arg : unmatched.getUnmatched()) {
                String option = arg.split("=", 2)[0];
                boolean elsewhere = services.stream()
                        .anyMatch(service -> service.getCommandSpec().findOption(option) != null);
                if (option.startsWith("-") && elsewhere) {
                    return option + " does not apply to the " + cmd.getCommandName() + " service";
                }
            }
        }
        return String.valueOf(ex.getMessage());
    }
}
