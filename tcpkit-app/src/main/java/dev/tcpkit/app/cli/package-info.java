/**
 * The command line (picocli only): one class per subcommand; parses, builds the library's objects, maps failures to
 * exit codes (0 ok, 1 runtime failure, 2 usage).
 */
@NullMarked
package dev.tcpkit.app.cli;

import org.jspecify.annotations.NullMarked;
