package dev.tcpkit.app.cli;

import dev.tcpkit.TcpServer;
import dev.tcpkit.options.ReloadFailedException;
import dev.tcpkit.service.Service;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * One {@code tcpkit serve SERVICE}: the options every service accepts, in sections by concern, and the run from
 * start-up line to exit code. A subclass adds its own options and makes its {@link Service}; its {@code @Command}
 * names it and gives its examples, and inherits the exit codes below.
 */
@Command(
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        abbreviateSynopsis = true,
        optionListHeading = "%nOptions:%n",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM or Ctrl-C (or --once) with every record written",
            "1:cannot listen (address in use, permission denied, ...), a TLS file that cannot be used, or records"
                    + " lost (an output failed, or the final flush did not finish within --drain-timeout)",
            "2:usage error"
        },
        footerHeading = "%nExamples:%n")
abstract class ServiceCommand implements Callable<Integer> {
    /**
     * The start-up events. Not under {@code dev.tcpkit}, whose level {@code -q} raises to warnings: scripts wait for
     * the start-up line, so it is shown whatever the verbosity, as in text mode.
     */
    private static final org.slf4j.Logger startup = LoggerFactory.getLogger("tcpkit.startup");
    /** SIGHUP's outcome: shown whatever the verbosity, as the start-up line, an operator waiting for it. */
    private static final org.slf4j.Logger reloads = LoggerFactory.getLogger("tcpkit.reload");

    @Spec
    CommandSpec spec;

    @Option(
            names = "--log-format",
            paramLabel = "text|json",
            defaultValue = "text",
            description = "Events on stderr as text lines, or one JSON object per line (default: ${DEFAULT-VALUE}).")
    LogFormat logFormat = LogFormat.text;

    @Mixin
    Verbosity verbosity;

    @ArgGroup(validate = false, heading = "%nNetwork:%n", order = 10)
    NetworkOptions network = new NetworkOptions();

    @ArgGroup(validate = false, heading = "%nLimits:%n", order = 20)
    LimitOptions limits = new LimitOptions();

    @ArgGroup(validate = false, heading = "%nTLS:%n", order = 30)
    TlsOptions tls = new TlsOptions();

    @ArgGroup(validate = false, heading = "%nPROXY protocol:%n", order = 40)
    ProxyOptions proxy = new ProxyOptions();

    @ArgGroup(validate = false, heading = "%nAdmin endpoint:%n", order = 50)
    AdminOptions admin = new AdminOptions();

    /** This service, made after the server's options are accepted; it may open its output file. */
    abstract Service newService() throws IOException;

    /** The cap on connections open at once without {@code --max-connections} (default 0: none). */
    int defaultMaxConnections() {
        return 0;
    }

    /** What the start-up line adds in its parentheses about this service, after the transport (default nothing). */
    String startupNote(int maxConnections) {
        return "";
    }

    /** {@code --udp}, on the services that can serve datagrams; {@code null} (default) on the others. */
    @Nullable
    UdpOption udp() {
        return null;
    }

    private boolean servesUdp() {
        UdpOption udp = udp();
        return udp != null && udp.udp;
    }

    /** Checks what the library cannot: which options go together on this command line. */
    void checkOptions() {}

    /** Whether this service speaks TLS to upstreams of its own, so that {@code --tls-provider} has a use without TLS. */
    boolean speaksTlsToUpstreams() {
        return false;
    }

    @Override
    public final Integer call() throws IOException, InterruptedException {
        UdpOption udp = udp();
        if (udp != null) {
            udp.check(spec); // first: with --udp, a TLS option is wrong whatever goes with it
        }
        network.check(spec);
        tls.check(spec, speaksTlsToUpstreams());
        proxy.check(spec);
        admin.check(spec);
        checkOptions();
        TcpServer.Builder builder = TcpServer.builder();
        // The library checks each value and says what is wrong; the usage error names the option.
        UsageErrors.rethrowNamingTheOption(spec, () -> {
            network.applyTo(builder);
            limits.applyTo(builder, defaultMaxConnections());
            proxy.applyTo(builder);
            admin.applyTo(builder);
            if (udp != null) {
                udp.applyTo(builder, limits.maxLine);
            }
        });
        verbosity.apply();
        logFormat.apply();
        tls.applyTo(builder, network.host); // before the service, which may open a file
        Service service;
        try {
            service = newService();
        } catch (IllegalArgumentException refused) {
            // The service's builder checks its values too (ChatConfig, MessageConfig): a usage error, as above.
            throw UsageErrors.of(spec, refused);
        }
        TcpServer server = builder.service(service).start();
        // The hook goes in before the start-up line: a script that sends SIGTERM as soon as it reads that line
        // must get the graceful stop and exit 0, not the JVM's default exit 143.
        Thread hook = new Thread(() -> stopOnSignal(server), "tcpkit-signal");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The signal came while the server was starting: stop it as the hook would have.
            stopOnSignal(server);
        }
        stopOnTerminate(server);
        reloadOnHangUp(server);
        announce(server);
        server.awaitTermination();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is already running and will finish the shutdown.
        }
        return exitCode(server);
    }

    /**
     * SIGHUP reloads the TLS certificate and the output file ({@link TcpServer#reload}) and says so in one line, instead
     * of the JVM's default, which is to exit. Before the start-up line, as for SIGTERM: a script may signal as soon as
     * it reads it.
     */
    private static void reloadOnHangUp(TcpServer server) {
        String unavailable = Signals.handle("HUP", () -> reload(server));
        if (unavailable != null) {
            reloads.debug("no reload on SIGHUP: {}", unavailable);
        }
    }

    private static void reload(TcpServer server) {
        try {
            List<String> reloaded = server.reload();
            reloads.atInfo()
                    .addKeyValue("event", "reloaded")
                    .log("reloaded: {}", reloaded.isEmpty() ? "nothing to reload" : String.join(", ", reloaded));
        } catch (ReloadFailedException e) {
            reloads.atWarn().addKeyValue("event", "reload-failed").log("reload failed: {}", e.getMessage());
        }
    }

    /** 0, or 1 when records were lost: an output failed, or the final flush did not finish in time (SPEC §4). */
    private static int exitCode(TcpServer server) {
        return server.service().lostRecords() > 0 ? 1 : 0;
    }

    /** The start-up line, and the admin page's address when there is one: text on stderr, or JSON events. */
    private void announce(TcpServer server) {
        String service = server.service().name();
        String listening = String.format(
                Locale.ROOT,
                "tcpkit %s listening on %s (%s%s%s%s)",
                service,
                server.displayAddress(),
                server.transport().displayName(),
                servesUdp() ? ", udp" : "",
                server.tlsProvider() == null
                        ? ""
                        : ", TLS " + server.tlsProvider().displayName(),
                startupNote(limits.maxConnections(defaultMaxConnections())));
        String adminUrl = server.adminUrl();
        String adminLine = adminUrl == null
                ? null
                : "tcpkit " + service + " admin on " + adminUrl + (admin.tokenRequired() ? " (token required)" : "");
        if (logFormat == LogFormat.json) {
            Path unix = server.unixPath();
            startup.atInfo()
                    .addKeyValue("event", "listening")
                    .addKeyValue("service", service)
                    .addKeyValue("address", server.displayAddress())
                    .addKeyValue(unix != null ? "path" : "port", unix != null ? unix.toString() : server.port())
                    .addKeyValue("transport", server.transport().displayName())
                    .log(listening);
            if (adminLine != null) {
                startup.atInfo()
                        .addKeyValue("event", "admin")
                        .addKeyValue("service", service)
                        .addKeyValue("url", adminUrl)
                        .addKeyValue("tokenRequired", admin.tokenRequired())
                        .log(adminLine);
            }
            return;
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println(listening);
        if (adminLine != null) {
            err.println(adminLine);
        }
        err.flush();
    }

    /**
     * SIGTERM and Ctrl-C (SIGINT) handled here rather than by the JVM, which runs the hook on the first and cannot see
     * a second: the first stops the server as the hook would, on a thread of its own; a second, during {@code
     * --shutdown-delay}, ends the delay at once (Ctrl-C twice to hurry). Where the signals cannot be handled, the hook
     * alone stops the server.
     */
    private static void stopOnTerminate(TcpServer server) {
        AtomicBoolean signalled = new AtomicBoolean();
        Runnable onSignal = () -> {
            if (signalled.compareAndSet(false, true)) {
                Thread stop = new Thread(() -> stopOnSignal(server), "tcpkit-signal");
                stop.setDaemon(false);
                stop.start();
            } else {
                server.endShutdownDelay();
            }
        };
        for (String signal : List.of("TERM", "INT")) {
            String unavailable = Signals.handle(signal, onSignal);
            if (unavailable != null) {
                LoggerFactory.getLogger(ServiceCommand.class)
                        .debug("SIG{} left to the shutdown hook: {}", signal, unavailable);
            }
        }
    }

    /**
     * SIGTERM or Ctrl-C: drain, flush, and exit 0, or 1 if records were lost. The JVM would otherwise exit 143 or 130
     * once hooks finish, so the hook halts itself, after everything is flushed. A server that already ended is left
     * alone.
     */
    private static void stopOnSignal(TcpServer server) {
        if (server.terminationFuture().isDone()) {
            return;
        }
        server.close();
        Runtime.getRuntime().halt(exitCode(server));
    }
}
