package dev.tcpkit.app.cli;

import dev.tcpkit.TcpServer;
import dev.tcpkit.options.Transport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** Where and how a service listens: the {@code Network} section of every {@code serve} service's help. */
final class NetworkOptions {
    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (default: all interfaces).")
    @Nullable
    String host;

    @Option(
            names = {"-p", "--port"},
            paramLabel = "PORT",
            defaultValue = "50007",
            description = "Port to listen on; 0 picks any free port (default: ${DEFAULT-VALUE}).")
    int port = 50007;

    @Option(
            names = "--unix",
            paramLabel = "PATH",
            description = "Listen on a Unix domain stream socket at PATH instead of --host/--port: a stale socket file"
                    + " there is replaced, the file is removed at exit; clients are shown as unix:pid=PID,uid=UID.")
    @Nullable
    Path unix;

    @Option(
            names = "--backlog",
            paramLabel = "N",
            defaultValue = "1024",
            description = "Accept queue length (default: ${DEFAULT-VALUE}).")
    int backlog = 1024;

    @Option(
            names = "--once",
            description = "Accept exactly one connection; exit when it closes (with --udp: once the first datagram is"
                    + " answered).")
    boolean once;

    @Option(
            names = "--transport",
            paramLabel = "auto|io_uring|epoll|nio",
            defaultValue = "auto",
            converter = TransportConverter.class,
            description = "I/O transport (default: ${DEFAULT-VALUE}: epoll, else io_uring, else nio).")
    Transport transport = Transport.AUTO;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "Event-loop threads; 0 = one per CPU (default).")
    int threads;

    @Option(
            names = "--drain-timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "On SIGTERM, how long open connections may finish and output may be flushed; records not"
                    + " written by then are lost, exit 1 (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout = Duration.ofSeconds(10);

    @Option(
            names = "--shutdown-delay",
            paramLabel = "DURATION",
            defaultValue = "0",
            converter = DurationConverter.class,
            description = "On SIGTERM, keep accepting and serving for this long while the admin endpoint's /health"
                    + " answers 503, so that a load balancer takes this server out first; then stop listening and"
                    + " drain. A second SIGTERM or Ctrl-C ends it at once (default: ${DEFAULT-VALUE}).")
    Duration shutdownDelay = Duration.ZERO;

    /** Options that name IP addresses or ports have no use on a Unix socket. */
    void check(CommandSpec spec) {
        if (unix == null) {
            return;
        }
        for (String option : List.of("--host", "--port", "--allow", "--deny", "--max-connections-per-ip", "--udp")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                throw new ParameterException(spec.commandLine(), option + " does not go with --unix");
            }
        }
    }

    void applyTo(TcpServer.Builder builder) {
        if (unix != null) {
            builder.unix(unix);
        } else {
            builder.bind(host, port);
        }
        builder.backlog(backlog)
                .once(once)
                .transport(transport)
                .threads(threads)
                .drainTimeout(drainTimeout)
                .shutdownDelay(shutdownDelay);
    }
}
