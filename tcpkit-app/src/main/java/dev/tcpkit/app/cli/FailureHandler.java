package dev.tcpkit.app.cli;

import dev.tcpkit.options.TransportUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns an exception out of a command into its exit code: an expected failure (port in use, refused, unknown host,
 * unusable transport) is one line and exit 1; {@code -v} adds the stack trace. Anything else is a bug: the trace is
 * printed so that it can be reported.
 */
final class FailureHandler implements IExecutionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger("tcpkit.failure");
    static final int FAILURE = 1;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
        PrintWriter err = cmd.getErr();
        boolean expected = ex instanceof IOException || ex instanceof TransportUnavailableException;
        if (isJson(parseResult)) {
            // One JSON object like every other event, so that a log shipper reading stderr sees why it ended.
            log.atError()
                    .addKeyValue("event", "failure")
                    .setCause(expected && !isVerbose(parseResult) ? null : ex)
                    .log(expected ? ex.getMessage() : "tcpkit: unexpected error: " + ex);
            return FAILURE;
        }
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
        return innermost(parseResult).hasMatchedOption("-v");
    }

    private static boolean isJson(ParseResult parseResult) {
        ParseResult p = innermost(parseResult);
        return p.hasMatchedOption("--log-format")
                && p.matchedOptionValue("--log-format", LogFormat.text) == LogFormat.json;
    }

    private static ParseResult innermost(ParseResult parseResult) {
        ParseResult p = parseResult;
        while (p.subcommand() != null) {
            p = p.subcommand();
        }
        return p;
    }
}
