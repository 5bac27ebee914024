package dev.tcpkit.app.cli;

import dev.tcpkit.TcpServer;
import dev.tcpkit.options.Transport;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

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

    void applyTo(TcpServer.Builder builder) {
        builder.bind(host, port)
                .backlog(backlog)
                .once(once)
                .transport(transport)
                .threads(threads)
                .drainTimeout(drainTimeout);
    }
}
