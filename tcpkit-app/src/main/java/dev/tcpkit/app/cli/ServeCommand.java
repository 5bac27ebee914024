package dev.tcpkit.app.cli;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.admin.AdminConfig;
import dev.tcpkit.codec.Framing;
import dev.tcpkit.internal.Addresses;
import dev.tcpkit.internal.StdoutWriter;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.options.Transport;
import dev.tcpkit.security.KeyFiles;
import dev.tcpkit.security.TlsContexts;
import dev.tcpkit.service.Service;
import dev.tcpkit.service.chat.ChatService;
import dev.tcpkit.service.message.MessageService;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;
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
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM or Ctrl-C (or --once) with every record written",
            "1:cannot listen (address in use, permission denied, ...), a TLS file that cannot be used, or records"
                    + " lost (an output failed, or the final flush did not finish within --drain-timeout)",
            "2:usage error"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  tcpkit serve echo --port 50007",
            "  tcpkit serve reply --reply 'ok' --port 8080",
            "  tcpkit serve log --encoding gbk --port 7788 --output messages.jsonl",
            "  tcpkit serve chat --port 7000 --admin-port 9090"
        })
final class ServeCommand implements Callable<Integer> {
    /**
     * The start-up events. Not under {@code dev.tcpkit}, whose level {@code -q} raises to warnings: scripts wait for
     * the start-up line, so it is shown whatever the verbosity, as in text mode.
     */
    private static final org.slf4j.Logger startup = LoggerFactory.getLogger("tcpkit.startup");

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
                    "reply, log: longest line with --framing line; a longer one cuts the connection (default: ${DEFAULT-VALUE}).")
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
            names = "--max-line-rate",
            paramLabel = "N",
            description = "chat: most lines a second one client may send (a second's worth at once); past it, reading"
                    + " from that client pauses, nothing is dropped (default: none).")
    @Nullable
    Integer maxLineRate;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            defaultValue = "0",
            description = "Most connections open at once; one more is accepted and closed at once (default: none).")
    int maxConnections;

    @Option(
            names = "--max-connections-per-ip",
            paramLabel = "N",
            defaultValue = "0",
            description = "Most connections open at once from one client address (default: none).")
    int maxConnectionsPerIp;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            defaultValue = "0",
            converter = DurationConverter.class,
            description = "Close a connection after this long with nothing read or written (default: none).")
    Duration idleTimeout;

    @Option(
            names = "--allow",
            paramLabel = "CIDR",
            converter = CidrConverter.class,
            description = "Only clients in this block get in: 10.0.0.0/8, ::1, ... (repeatable).")
    List<String> allow = new ArrayList<>();

    @Option(
            names = "--deny",
            paramLabel = "CIDR",
            converter = CidrConverter.class,
            description = "Clients in this block are closed before any byte; wins over --allow (repeatable).")
    List<String> deny = new ArrayList<>();

    @Option(
            names = "--proxy-protocol",
            description = "Connections start with a PROXY v1/v2 header (HAProxy); its client is the one shown, "
                    + "limited and checked.")
    boolean proxyProtocol;

    @Option(
            names = "--proxy-from",
            paramLabel = "CIDR",
            converter = CidrConverter.class,
            description =
                    "With --proxy-protocol: the proxies trusted to send it (repeatable; default: 127.0.0.0/8 and ::1).")
    List<String> proxyFrom = new ArrayList<>();

    @Option(
            names = "--tls-cert",
            paramLabel = "FILE",
            description = "Serve TLS with this PEM certificate, followed by any intermediates; needs --tls-key.")
    @Nullable
    Path tlsCert;

    @Option(
            names = "--tls-key",
            paramLabel = "FILE",
            description = "The PEM private key of --tls-cert: PKCS#8, PKCS#1 (RSA) or EC, not encrypted.")
    @Nullable
    Path tlsKey;

    @Option(
            names = "--tls-self-signed",
            description = "Serve TLS with a self-signed certificate made at start, for development"
                    + " (clients connect with --insecure).")
    boolean tlsSelfSigned;

    @Option(
            names = "--tls-client-ca",
            paramLabel = "FILE",
            description = "Require a client certificate issued by one of these PEM CA certificates.")
    @Nullable
    Path tlsClientCa;

    @Option(
            names = "--tls-provider",
            paramLabel = "auto|openssl|jdk",
            defaultValue = "auto",
            converter = TlsProviderConverter.class,
            description = "TLS implementation (default: ${DEFAULT-VALUE}: openssl where it loads, else jdk).")
    TlsProvider tlsProvider;

    @Option(
            names = "--drain-timeout",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "On SIGTERM, how long open connections may finish and output may be flushed; records not"
                    + " written by then are lost, exit 1 (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(
            names = "--transport",
            paramLabel = "auto|io_uring|epoll|nio",
            defaultValue = "auto",
            converter = TransportConverter.class,
            description = "I/O transport (default: ${DEFAULT-VALUE}: epoll, else io_uring, else nio).")
    Transport transport;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "0",
            description = "Event-loop threads; 0 = one per CPU (default).")
    int threads;

    @Option(
            names = "--admin-port",
            paramLabel = "PORT",
            description = "Serve the admin endpoint on PORT: live status page /, JSON /api/connections and /api/stats,"
                    + " Prometheus /metrics, POST /api/connections/ID/close; 0 = any free port (default: none).")
    @Nullable
    Integer adminPort;

    @Option(
            names = "--admin-host",
            paramLabel = "HOST",
            description = "Address of the admin endpoint (default: 127.0.0.1, this machine only).")
    @Nullable
    String adminHost;

    @Option(
            names = "--admin-token",
            paramLabel = "TOKEN",
            defaultValue = "${env:TCPKIT_ADMIN_TOKEN}",
            description = "Every admin request must carry TOKEN (Authorization: Bearer TOKEN, or ?token=TOKEN), else"
                    + " 401 (default: $TCPKIT_ADMIN_TOKEN, else none).")
    @Nullable
    String adminToken;

    @Option(
            names = "--admin-allow-host",
            paramLabel = "NAME",
            description = "A host name the admin endpoint answers to, for a proxy or balancer that reaches it by name"
                    + " (repeatable). Without it only an IP address or localhost in the Host header is answered, else"
                    + " 421: a web page re-bound to this address (DNS rebinding) cannot read or close anything.")
    List<String> adminAllowHost = new ArrayList<>();

    @Option(
            names = "--log-format",
            paramLabel = "text|json",
            defaultValue = "text",
            description = "Events on stderr as text lines, or one JSON object per line (default: ${DEFAULT-VALUE}).")
    LogFormat logFormat;

    @Mixin
    Verbosity verbosity;

    @Override
    public Integer call() throws IOException, InterruptedException {
        checkOptions();
        verbosity.apply();
        logFormat.apply();
        SslContext tls = newTlsContext();
        TcpServer.Builder builder = TcpServer.builder()
                .bind(host, port)
                .backlog(backlog)
                .once(once)
                .transport(transport)
                .threads(threads)
                .drainTimeout(drainTimeout)
                .maxConnections(maxConnections)
                .maxConnectionsPerIp(maxConnectionsPerIp)
                .idleTimeout(idleTimeout)
                .proxyProtocol(proxyProtocol)
                .tls(tls);
        allow.forEach(builder::allow);
        deny.forEach(builder::deny);
        proxyFrom.forEach(builder::proxyFrom);
        if (adminPort != null) {
            builder.admin(adminHost, adminPort).adminToken(adminToken);
            adminAllowHost.forEach(builder::adminAllowHost);
        }
        TcpServer server = builder.service(newService()).start();
        // The hook goes in before the start-up line: a script that sends SIGTERM as soon as it reads that line
        // must get the graceful stop and exit 0, not the JVM's default exit 143.
        Thread hook = new Thread(() -> stopOnSignal(server), "tcpkit-signal");
        try {
            Runtime.getRuntime().addShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The signal came while the server was starting: stop it as the hook would have.
            stopOnSignal(server);
        }
        announce(server);
        server.awaitTermination();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is already running and will finish the shutdown.
        }
        return exitCode(server);
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
                "tcpkit %s listening on %s (%s%s)",
                service,
                server.displayAddress(),
                server.transport().displayName(),
                server.tlsProvider() == null
                        ? ""
                        : ", TLS " + server.tlsProvider().displayName());
        String adminUrl = server.adminUrl();
        String admin = adminUrl == null
                ? null
                : "tcpkit " + service + " admin on " + adminUrl + (adminToken != null ? " (token required)" : "");
        if (logFormat == LogFormat.json) {
            startup.atInfo()
                    .addKeyValue("event", "listening")
                    .addKeyValue("service", service)
                    .addKeyValue("address", server.displayAddress())
                    .addKeyValue("port", server.port())
                    .addKeyValue("transport", server.transport().displayName())
                    .log(listening);
            if (admin != null) {
                startup.atInfo()
                        .addKeyValue("event", "admin")
                        .addKeyValue("service", service)
                        .addKeyValue("url", adminUrl)
                        .addKeyValue("tokenRequired", adminToken != null)
                        .log(admin);
            }
            return;
        }
        PrintWriter err = spec.commandLine().getErr();
        err.println(listening);
        if (admin != null) {
            err.println(admin);
        }
        err.flush();
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

    private void checkOptions() {
        boolean isMessageService = service == ServiceName.reply || service == ServiceName.log;
        requireOnly(banner != null, "--banner", service == ServiceName.reply);
        requireOnly(keepOpen, "--keep-open", service == ServiceName.reply);
        requireOnly(reply != null, "--reply", isMessageService);
        requireOnly(output != null, "--output", isMessageService || service == ServiceName.chat);
        requireOnly(maxQueue != null, "--max-queue", service == ServiceName.chat);
        requireOnly(maxLineRate != null, "--max-line-rate", service == ServiceName.chat);
        if (maxLineRate != null && maxLineRate < 1) {
            throw new ParameterException(spec.commandLine(), "--max-line-rate must be >= 1: " + maxLineRate);
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together: give both");
        }
        if (tlsSelfSigned && tlsCert != null) {
            throw new ParameterException(
                    spec.commandLine(), "--tls-self-signed and --tls-cert exclude each other: give one");
        }
        boolean tls = tlsSelfSigned || tlsCert != null;
        if (!tls && spec.commandLine().getParseResult().hasMatchedOption("--tls-provider")) {
            throw new ParameterException(
                    spec.commandLine(), "--tls-provider needs TLS: add --tls-cert and --tls-key, or --tls-self-signed");
        }
        if (!tls && tlsClientCa != null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--tls-client-ca needs TLS: add --tls-cert and --tls-key, or --tls-self-signed");
        }
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port must be in 0..65535: " + port);
        }
        if (backlog < 1) {
            throw new ParameterException(spec.commandLine(), "--backlog must be >= 1: " + backlog);
        }
        if (threads < 0) {
            throw new ParameterException(spec.commandLine(), "--threads must be >= 0: " + threads);
        }
        if (adminPort == null) {
            for (String option : new String[] {"--admin-host", "--admin-token", "--admin-allow-host"}) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new ParameterException(spec.commandLine(), option + " needs --admin-port");
                }
            }
        } else if (adminPort < 0 || adminPort > 65535) {
            throw new ParameterException(spec.commandLine(), "--admin-port must be in 0..65535: " + adminPort);
        }
        if (adminToken != null && adminToken.isBlank()) {
            throw new ParameterException(spec.commandLine(), "--admin-token must not be empty");
        }
        for (String name : adminAllowHost) {
            try {
                AdminConfig.checkHostName(name);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(
                        spec.commandLine(), "--admin-allow-host must be a host name, without a port: " + name);
            }
        }
        if (maxConnections < 0) {
            throw new ParameterException(spec.commandLine(), "--max-connections must be >= 0: " + maxConnections);
        }
        if (maxConnectionsPerIp < 0) {
            throw new ParameterException(
                    spec.commandLine(), "--max-connections-per-ip must be >= 0: " + maxConnectionsPerIp);
        }
        if (!proxyFrom.isEmpty() && !proxyProtocol) {
            throw new ParameterException(spec.commandLine(), "--proxy-from needs --proxy-protocol");
        }
    }

    private void requireOnly(boolean given, String option, boolean applies) {
        if (given && !applies) {
            throw new ParameterException(spec.commandLine(), option + " does not apply to the " + service + " service");
        }
    }

    /** The server's TLS context, or {@code null} for plain TCP; made before the service, which may open a file. */
    private @Nullable SslContext newTlsContext() throws IOException {
        if (tlsSelfSigned) {
            List<String> names = host == null || isWildcard(host) ? List.of() : List.of(Addresses.unbracket(host));
            return TlsContexts.selfSignedServer(names, tlsClientCa, tlsProvider);
        }
        if (tlsCert != null && tlsKey != null) {
            return TlsContexts.server(new KeyFiles(tlsCert, tlsKey), tlsClientCa, tlsProvider);
        }
        return null;
    }

    private static boolean isWildcard(String host) {
        String h = Addresses.unbracket(host);
        return h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0");
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
        if (maxLineRate != null) {
            builder.maxLineRate(maxLineRate);
        }
        return builder.maxLine(maxLine)
                .charset(encoding)
                .output(output)
                .stdout(StdoutWriter.throwingErrors(spec.commandLine().getOut()))
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
                .stdout(StdoutWriter.throwingErrors(spec.commandLine().getOut()))
                .build();
    }
}
