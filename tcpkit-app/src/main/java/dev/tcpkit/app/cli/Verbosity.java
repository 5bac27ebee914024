package dev.tcpkit.app.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** {@code -q} and {@code -v}: how much goes to stderr through the logger. */
final class Verbosity {
    @Option(
            names = {"-q", "--quiet"},
            description = "Only warnings and errors on stderr.")
    boolean quiet;

    @Option(
            names = {"-v", "--verbose"},
            description = "Debug events on stderr, and stack traces with errors.")
    boolean verbose;

    /** Sets the log levels; call before anything logs. */
    void apply() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        Logger tcpkit = (Logger) LoggerFactory.getLogger("dev.tcpkit");
        if (quiet) {
            tcpkit.setLevel(Level.WARN);
        } else if (verbose) {
            tcpkit.setLevel(Level.DEBUG);
            root.setLevel(Level.INFO);
        } else {
            tcpkit.setLevel(Level.INFO);
        }
    }
}
