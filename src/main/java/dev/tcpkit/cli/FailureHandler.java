package dev.tcpkit.cli;

import dev.tcpkit.transport.TransportUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception out of a command into its exit code: an expected failure (port in use, refused, unknown host,
 * unusable transport) is one line and exit 1; {@code -v} adds the stack trace. Anything else is a bug: the trace is
 * printed so that it can be reported.
 */
final class FailureHandler implements IExecutionExceptionHandler {
    static final int FAILURE = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        boolean expected = ex instanceof IOException || ex instanceof TransportUnavailableException;
        if (expected) {
            err.println(ex.getMessage());
        } else {
            err.println("tcpkit: unexpected error: " + ex);
        }
        if (!expected || isVerbose(parseResult)) {
            ex.printStackTrace(err);
        }
        err.flush();
        return FAILURE;
    }

    private static boolean isVerbose(ParseResult parseResult) {
        ParseResult p = parseResult;
        while (p.subcommand() != null) {
            p = p.subcommand();
        }
        return p.hasMatchedOption("-v");
    }
}
