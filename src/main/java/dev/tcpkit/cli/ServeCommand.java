package dev.tcpkit.cli;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.codec.Framing;
import dev.tcpkit.service.Service;
import dev.tcpkit.service.chat.ChatService;
import dev.tcpkit.service.message.MessageService;
import dev.tcpkit.transport.Transport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tcpkit serve SERVICE}: runs a ready-made service until stopped. */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Runs a ready-made service, serving many clients at once.",
            "",
            "  echo     every byte back, in order, until the client closes (RFC 862)",
            "  reply    optional banner; print each message, answer it, close after the first",
            "  log      print every message of every client with its address, until it leaves",
            "  chat     relay each line of each client to all the others as <name> text;",
            "           /nick NAME, /who, /help, /quit",
            "  discard  read and drop everything (RFC 863)",
            "",
            "Messages go to stdout, one record a line: TIME CLIENT >>> TEXT.",
            "Events and diagnostics go to stderr. SIGTERM or Ctrl-C stops gracefully."
        })
final class ServeCommand implements Callable<Integer> {
    enum ServiceName {
        echo,
        reply,
        log,
        chat,
        discard
    }

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SERVICE", description = "echo, reply, log, chat or discard.")
    ServiceName service;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (default: all interfaces).")
    @Nullable
    String host;

    @Option(
            names = {"-p", "--port"},
            paramLabel = "PORT",
            defaultValue = "50007",
            description = "Port to listen on; 0 picks any free port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(
            names = "--backlog",
            paramLabel = "N",
            defaultValue = "1024",
            description = "Accept queue length (default: ${DEFAULT-VALUE}).")
    int backlog;

    @Option(names = "--once", description = "Accept exactly one connection; exit when it closes.")
    boolean once;

    @Option(
            names = "--framing",
            paramLabel = "raw|line",
            description = "A message is one read (raw) or one line (default: raw; line for chat).")
    @Nullable
    Framing framing;

    @Option(
            names = "--max-line",
            paramLabel = "SIZE",
            defaultValue = "64KiB",
            converter = ByteSizeConverter.class,
            description =
                    "Longest line with --framing line; a longer one closes the connection (default: ${DEFAULT-VALUE}).")
    int maxLine;

    @Option(
            names = {"-e", "--encoding"},
            paramLabel = "CHARSET",
            defaultValue = "UTF-8",
            converter = CharsetConverter.class,
            description =
                    "Charset of the text on the wire: GBK, GB18030, Big5, ISO-8859-1, ... (default: ${DEFAULT-VALUE}).")
    Charset encoding;

    @Option(names = "--banner", paramLabel = "TEXT", description = "reply: text sent as soon as a client connects.")
    @Nullable
    String banner;

    @Option(
            names = "--reply",
            paramLabel = "TEXT",
            description = "reply, log: answer to each message; empty sends nothing (reply default: '"
                    + MessageService.DEFAULT_REPLY + "').")
    @Nullable
    String reply;

    @Option(names = "--keep-open", description = "reply: keep the connection open after the first message.")
    boolean keepOpen;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "log, reply, chat: also append every message to FILE as JSON Lines.")
    @Nullable
    Path output;

    @Option(
            names = "--max-queue",
            paramLabel = "SIZE",
            converter = ByteSizeConverter.class,
            description = "chat: most bytes waiting to be sent to one client (40 more counted per line); a client"
                    + " that does not read is disconnected past it (default: 1MiB).")
    @Nullable
    Integer maxQueue;

    @Option(
            names = "--drain-timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "On SIGTERM, how long open connections may finish (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(
            names = "--transport",
            paramLabel = "auto|io_uring|epoll|nio",
            defaultValue = "auto",
            converter = TransportConverter.class,
            description = "I/O transport (default: ${DEFAULT-VALUE}: io_uring, else epoll, else nio).")
    Transport transport;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "Event-loop threads; 0 = one per CPU (default).")
    int threads;

    @Mixin
    Verbosity verbosity;

    @Override
    public Integer call() throws IOException, InterruptedException {
        checkOptions();
        verbosity.apply();
        TcpServer server = TcpServer.builder()
                .bind(host, port)
                .backlog(backlog)
                .once(once)
                .transport(transport)
                .threads(threads)
                .drainTimeout(drainTimeout)
                .service(newService())
                .start();
        // The hook goes in before the start-up line: a script that sends SIGTERM as soon as it reads that line
        // must get the graceful stop and exit 0, not the JVM's default exit 143.
        Thread hook = new Thread(() -> stopOnSignal(server), "tcpkit-signal");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The signal came while the server was starting: stop it as the hook would have.
            stopOnSignal(server);
        }
        PrintWriter err = spec.commandLine().getErr();
        err.printf(
                Locale.ROOT,
                "tcpkit %s listening on %s (%s)%n",
                server.service().name(),
                server.displayAddress(),
                server.transport().displayName());
        err.flush();
        server.awaitTermination();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is already running and will finish the shutdown.
        }
        return 0;
    }

    /**
     * SIGTERM or Ctrl-C: drain, flush, and exit 0. The JVM would otherwise exit 143 or 130 once hooks finish, so the
     * hook halts with 0 itself, after everything is flushed. A server that already ended normally is left alone.
     */
    private static void stopOnSignal(TcpServer server) {
        if (server.terminationFuture().isDone()) {
            return;
        }
        server.close();
        Runtime.getRuntime().halt(0);
    }

    private void checkOptions() {
        boolean isMessageService = service == ServiceName.reply || service == ServiceName.log;
        requireOnly(banner != null, "--banner", service == ServiceName.reply);
        requireOnly(keepOpen, "--keep-open", service == ServiceName.reply);
        requireOnly(reply != null, "--reply", isMessageService);
        requireOnly(output != null, "--output", isMessageService || service == ServiceName.chat);
        requireOnly(maxQueue != null, "--max-queue", service == ServiceName.chat);
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be in 0..65535: " + port);
        }
        if (backlog < 1) {
            throw new ParameterException(spec.commandLine(), "--backlog must be >= 1: " + backlog);
        }
        if (threads < 0) {
            throw new ParameterException(spec.commandLine(), "--threads must be >= 0: " + threads);
        }
    }

    private void requireOnly(boolean given, String option, boolean applies) {
        if (given && !applies) {
            throw new ParameterException(spec.commandLine(), option + " does not apply to the " + service + " service");
        }
    }

    private Service newService() throws IOException {
        return switch (service) {
            case echo -> Services.echo();
            case discard -> Services.discard();
            case reply, log -> newMessageService();
            case chat -> newChatService();
        };
    }

    private Service newChatService() throws IOException {
        ChatService.Builder builder = Services.chat();
        if (framing != null) {
            builder.framing(framing);
        }
        if (maxQueue != null) {
            builder.maxQueue(maxQueue);
        }
        return builder.maxLine(maxLine)
                .charset(encoding)
                .output(output)
                .stdout(spec.commandLine().getOut())
                .build();
    }

    private Service newMessageService() throws IOException {
        MessageService.Builder builder = service == ServiceName.reply ? Services.reply() : Services.log();
        if (banner != null) {
            builder.banner(banner);
        }
        if (reply != null) {
            builder.reply(reply);
        }
        if (service == ServiceName.reply) {
            builder.keepOpen(keepOpen);
        }
        if (framing != null) {
            builder.framing(framing);
        }
        return builder.maxLine(maxLine)
                .charset(encoding)
                .output(output)
                .stdout(spec.commandLine().getOut())
                .build();
    }
}
