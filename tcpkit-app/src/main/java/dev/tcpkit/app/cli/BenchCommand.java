package dev.tcpkit.app.cli;

import dev.tcpkit.app.bench.BenchConfig;
import dev.tcpkit.app.bench.BenchMode;
import dev.tcpkit.app.bench.BenchResult;
import dev.tcpkit.app.bench.BenchRun;
import dev.tcpkit.app.bench.JsonReport;
import dev.tcpkit.app.bench.LatencyChart;
import dev.tcpkit.app.bench.LatencyLog;
import dev.tcpkit.app.bench.Progress;
import dev.tcpkit.app.bench.TextReport;
import dev.tcpkit.app.client.ProxyUrl;
import dev.tcpkit.internal.Errors;
import dev.tcpkit.options.Transport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tcpkit bench HOST PORT}: a load generator for echo servers that verifies every echoed byte. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Measures an echo server: messages per second, MB/s and latency percentiles, checking every echoed byte.",
            "",
            "  pingpong  keep --depth messages in flight on each connection (default)",
            "  stream    keep 256 KiB of chunks unechoed on each connection; MB/s first",
            "  connect   open, hold for --duration, check each still echoes a message",
            "",
            "With --udp, pingpong over UDP: each connection is a connected datagram socket, each message one datagram;"
                    + " one not echoed within --timeout is counted lost (in the report) and the run goes on.",
            "With --rate the load is open loop: messages are sent on a schedule, and latency counts from the scheduled"
                    + " send, so a server that stalls is measured, not hidden (coordinated omission).",
            "Live progress goes to stderr once a second when stderr is a terminal (--progress forces it, -q stops it);"
                    + " the report goes to stdout."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the run finished without errors",
            "1:no connection could be opened (refused, unknown host, a proxy refused or is unreachable, ...)",
            "2:usage error",
            "3:the run finished but counted errors (a wrong or missing echoed byte, a reset, a failed connect)"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  tcpkit bench 127.0.0.1 50007 -c 100 -s 64 -d 10s",
            "  tcpkit bench 127.0.0.1 50007 --mode stream -c 10 -s 64KiB",
            "  tcpkit bench 127.0.0.1 50007 --udp -c 4 --depth 8",
            "  tcpkit bench 127.0.0.1 50007 --rate 50000 --plot latency.png",
            "  tcpkit bench 127.0.0.1 50007 -c 10 --proxy socks5://127.0.0.1:1080"
        })
final class BenchCommand implements Callable<Integer> {
    /** The run finished but counted errors: a wrong or missing echoed byte, a reset, a failed connect. */
    static final int ERRORS = 3;

    enum ModeName {
        pingpong,
        stream,
        connect
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOST", description = "Server name or address.")
    String host;

    @Parameters(index = "1", paramLabel = "PORT", description = "Server port.")
    int port;

    @Option(
            names = {"-m", "--mode"},
            paramLabel = "pingpong|stream|connect",
            defaultValue = "pingpong",
            description = "What to measure (default: ${DEFAULT-VALUE}).")
    ModeName mode;

    @Option(
            names = {"-c", "--connections"},
            paramLabel = "N",
            defaultValue = "10",
            description = "Connections to open (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(
            names = {"-s", "--size"},
            paramLabel = "SIZE",
            defaultValue = "64",
            converter = ByteSizeConverter.class,
            description = "Bytes per message, or per chunk in stream mode: 64, 4KiB, 1MiB (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(
            names = {"-d", "--duration"},
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long to measure, after the warmup (default: 10s; with --count, no limit);"
                    + " connect mode: how long to hold the connections.")
    @Nullable
    Duration duration;

    @Option(
            names = {"-n", "--count"},
            paramLabel = "N",
            description = "Measure N messages in all (shared among the connections) instead of a duration.")
    long count;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            defaultValue = "1s",
            converter = DurationConverter.class,
            description = "Traffic before measuring, not recorded (default: ${DEFAULT-VALUE}).")
    Duration warmup;

    @Option(
            names = "--depth",
            paramLabel = "K",
            description = "Messages in flight per connection (default: 1; stream: 256 KiB worth of chunks;"
                    + " with --rate, at most " + BenchConfig.DEFAULT_RATE_DEPTH + ").")
    int depth;

    @Option(
            names = {"-r", "--rate"},
            paramLabel = "R",
            description = "Open loop: R messages per second across all connections, each sent at its scheduled time;"
                    + " connect mode: R connections opened per second.")
    double rate;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "Event-loop threads; 0 = one per CPU (default).")
    int threads;

    @Option(
            names = "--transport",
            paramLabel = "auto|io_uring|epoll|nio",
            defaultValue = "auto",
            converter = TransportConverter.class,
            description = "I/O transport (default: ${DEFAULT-VALUE}: epoll, else io_uring, else nio).")
    Transport transport;

    @Option(
            names = {"-w", "--timeout"},
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Connect timeout, and how long to wait for outstanding echoes at the end, or for any echo"
                    + " at all; --udp: how long before a datagram counts as lost (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
            names = "--udp",
            description = "Pingpong over UDP: each message is one datagram (at most " + BenchConfig.MAX_DATAGRAM
                    + " bytes); one not echoed within --timeout is counted lost.")
    boolean udp;

    @Option(names = "--json", description = "Print the report as one JSON object on stdout.")
    boolean json;

    @Option(
            names = "--plot",
            paramLabel = "FILE.png",
            description = "Also draw the latency by percentile as a chart: PNG, or JPEG for a .jpg or .jpeg FILE.")
    @Nullable
    Path plot;

    @Option(
            names = "--hdr-log",
            paramLabel = "FILE",
            description = "Also write the latencies as an HdrHistogram interval log, one interval a second;"
                    + " tcpkit report merges the logs of several generators.")
    @Nullable
    Path hdrLog;

    @Option(
            names = "--start-at",
            paramLabel = "TIME",
            converter = StartAtConverter.class,
            description = "Wait until TIME (ISO-8601 instant, or +10s from now), then start; lets several"
                    + " generators start together.")
    @Nullable
    Instant startAt;

    @Option(names = "--progress", description = "Show live progress even when stderr is not a terminal.")
    boolean progress;

    @Mixin
    ClientProxyOption proxy;

    @Mixin
    Verbosity verbosity;

    @Override
    public Integer call() throws IOException, InterruptedException {
        boolean live = !verbosity.quiet && (progress || stderrIsTerminal());
        BenchConfig config = config(live);
        verbosity.apply();
        PrintWriter err = spec.commandLine().getErr();
        Consumer<Progress> listener = live
                ? p -> {
                    err.println(p.toLine());
                    err.flush();
                }
                : p -> {};
        BenchResult result;
        // Opened before the wait: a log that cannot be written fails now, not after the run.
        try (LatencyLog log = hdrLog == null ? null : LatencyLog.create(hdrLog)) {
            if (startAt != null) {
                long waitMillis = Duration.between(Instant.now(), startAt).toMillis();
                if (waitMillis > 0) {
                    Thread.sleep(waitMillis);
                }
            }
            result = BenchRun.run(config, listener, log);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(JsonReport.format(result));
        } else {
            out.print(TextReport.format(result));
        }
        out.flush();
        if (plot != null) {
            try {
                LatencyChart.write(result, plot);
            } catch (IOException e) {
                throw new IOException("cannot write " + plot + ": " + Errors.reason(e), e);
            }
        }
        return result.clean() ? 0 : ERRORS;
    }

    /** Refuses, as a usage error before any work, a {@code --plot} file the chart cannot be written to. */
    static void checkPlot(CommandSpec spec, @Nullable Path plot) {
        if (plot != null) {
            try {
                LatencyChart.checkFile(plot);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), String.valueOf(e.getMessage()));
            }
        }
    }

    /** The run's configuration; {@link BenchConfig} checks the values, and its refusal is a usage error. */
    private BenchConfig config(boolean live) {
        checkPlot(spec, plot);
        if (hdrLog != null && Files.isDirectory(hdrLog)) {
            throw new ParameterException(spec.commandLine(), "--hdr-log needs a file name, not a directory: " + hdrLog);
        }
        BenchMode benchMode = BenchMode.valueOf(mode.name().toUpperCase(Locale.ROOT));
        Duration measured = duration != null ? duration : count > 0 ? Duration.ZERO : Duration.ofSeconds(10);
        ProxyUrl through = proxy.parse(spec);
        try {
            return new BenchConfig(
                    host,
                    port,
                    benchMode,
                    connections,
                    size,
                    measured,
                    count,
                    warmup,
                    depth,
                    rate,
                    threads,
                    transport,
                    timeout,
                    live,
                    udp,
                    through);
        } catch (IllegalArgumentException e) {
            throw UsageErrors.of(spec, e);
        }
    }

    /** Whether stderr is a terminal (Linux: where file descriptor 2 leads); Java 17 cannot ask it directly. */
    private static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
