package dev.tcpkit.app.cli;

import dev.tcpkit.app.client.ClientConfig;
import dev.tcpkit.app.client.ConsoleSession;
import dev.tcpkit.app.client.DatagramSession;
import dev.tcpkit.app.client.ProxyUrl;
import dev.tcpkit.internal.StdStreams;
import dev.tcpkit.internal.TerminalCharset;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.output.RecordWriter;
import dev.tcpkit.security.KeyFiles;
import dev.tcpkit.security.TlsContexts;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tcpkit connect HOST PORT} (or {@code --unix PATH}): a netcat-style client. */
@Command(
        name = "connect",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Connects to a TCP server (or a Unix socket with --unix): what you type (or pipe in) is sent, what arrives"
                    + " is printed.",
            "",
            "At the end of input the connection is half-closed and printing goes on until the server closes.",
            "With --send, sends each TEXT and waits for the reply instead of reading stdin.",
            "With --udp, each line (or --send TEXT) is one datagram, each datagram received is printed on a line; at the"
                    + " end of input it waits --timeout for answers, then exits."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the connection ended (the server closed, or --timeout of silence after --send or, with --udp, the input)",
            "1:cannot connect (refused, unknown host, timed out; --udp: nothing listens; a proxy refused or is"
                    + " unreachable), the TLS handshake failed, or the --hex-dump file failed",
            "2:usage error"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  tcpkit connect 127.0.0.1 50007",
            "  tcpkit connect 127.0.0.1 8080 --send 'hello'",
            "  tcpkit connect 127.0.0.1 31500 --recv-first --send hihi",
            "  tcpkit connect 127.0.0.1 7788 --encoding gbk",
            "  tcpkit connect --udp 127.0.0.1 50007 --send ping",
            "  tcpkit connect example.org 443 --tls",
            "  tcpkit connect --unix /run/app.sock",
            "  tcpkit connect 127.0.0.1 50007 --hex-dump session.hex",
            "  tcpkit connect example.org 443 --tls --proxy socks5h://127.0.0.1:1080"
        })
final class ConnectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    // Optional for picocli only: required unless --unix, which call() checks.
    @Parameters(index = "0", arity = "0..1", paramLabel = "HOST", description = "Server name or address.")
    @Nullable
    String host;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PORT", description = "Server port.")
    @Nullable
    Integer port;

    @Option(
            names = "--unix",
            paramLabel = "PATH",
            description = "Connect to the Unix domain stream socket at PATH instead of HOST PORT.")
    @Nullable
    Path unix;

    @Option(
            names = "--encoding",
            paramLabel = "CHARSET",
            converter = CharsetConverter.class,
            description = "Charset on the wire: typed text is sent in it, received text is shown from it (GBK, ...)."
                    + " Without it, bytes pass unchanged.")
    @Nullable
    Charset encoding;

    @Option(
            names = "--send",
            paramLabel = "TEXT",
            description = "Send exactly TEXT (no newline added) and wait for the reply; repeatable. Stdin is not read.")
    List<String> sends = new ArrayList<>();

    @Option(names = "--recv-first", description = "Wait for the server to speak first (one read, up to --timeout).")
    boolean recvFirst;

    @Option(
            names = {"-w", "--timeout"},
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Connect timeout; with --send or --recv-first, how long to wait for the server to speak;"
                    + " with --udp, how long to wait for answers at the end (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
            names = "--tls",
            description = "Speak TLS: verify the server's certificate against the system's CAs (or --ca) and that it"
                    + " is for HOST.")
    boolean tls;

    @Option(names = "--ca", paramLabel = "FILE", description = "With --tls: trust these PEM CA certificates instead.")
    @Nullable
    Path ca;

    @Option(
            names = "--insecure",
            description = "With --tls: accept any certificate for any host (no verification; for testing).")
    boolean insecure;

    @Option(
            names = "--tls-cert",
            paramLabel = "FILE",
            description = "With --tls: present this PEM client certificate (and intermediates); needs --tls-key.")
    @Nullable
    Path tlsCert;

    @Option(
            names = "--tls-key",
            paramLabel = "FILE",
            description = "The PEM private key of --tls-cert: PKCS#8, PKCS#1 (RSA) or EC, not encrypted.")
    @Nullable
    Path tlsKey;

    @Option(
            names = "--udp",
            description = "Speak UDP: each line of input (without its line end), or each --send TEXT, is one datagram;"
                    + " each datagram received is printed on a line of its own.")
    boolean udp;

    @Mixin
    HexDumpOptions hexDump;

    @Mixin
    ClientProxyOption proxy;

    @Mixin
    Verbosity verbosity;

    @Override
    public Integer call() throws IOException, InterruptedException {
        checkUnixOptions();
        ClientConfig plain;
        try {
            plain = unix != null
                    ? ClientConfig.unix(unix, encoding, TerminalCharset.get(), sends, recvFirst, timeout)
                    : new ClientConfig(
                            requiredHost(), requiredPort(), encoding, TerminalCharset.get(), sends, recvFirst, timeout);
        } catch (IllegalArgumentException e) {
            throw UsageErrors.of(spec, e);
        }
        checkTlsOptions();
        checkUdpOptions();
        ProxyUrl through = proxy.parse(spec);
        if (through != null && (udp || unix != null)) {
            throw new ParameterException(
                    spec.commandLine(), "--proxy does not go with " + (udp ? "--udp" : "--unix") + " (it tunnels TCP)");
        }
        verbosity.apply();
        if (udp) {
            runDatagrams(plain);
            return 0;
        }
        ClientConfig config = plain.withTls(newTlsContext()).withProxy(through);
        RecordWriter dump = hexDump.openWriter();
        if (dump == null) {
            run(config, null, new CompletableFuture<>());
            return 0;
        }
        CompletableFuture<String> failed = dump.failure().toCompletableFuture();
        try {
            run(config, dump, failed);
        } finally {
            if (!failed.isDone()) {
                dump.close(); // says how many chunks were lost, if any
            }
        }
        // A failed dump was said once, by its writer; the session then ended: nothing to add.
        return failed.isDone() || dump.lost() > 0 ? 1 : 0;
    }

    /** Runs the session; it ends early, closed, when {@code dumpFailed} completes. */
    private static void run(ClientConfig config, @Nullable RecordWriter dump, CompletableFuture<String> dumpFailed)
            throws IOException, InterruptedException {
        OutputStream stdout = StdStreams.stdout();
        try (ConsoleSession session =
                ConsoleSession.connect(config, stdout, dump == null ? null : HexDumpOptions.clientHandlers(dump))) {
            // The dump failed (said once, by its writer): the session ends, as a server's does.
            var unused = dumpFailed.thenRun(session::close);
            session.run(StdStreams.stdin());
        } finally {
            stdout.flush();
        }
    }

    private static void runDatagrams(ClientConfig config) throws IOException, InterruptedException {
        OutputStream stdout = StdStreams.stdout();
        try (DatagramSession session = DatagramSession.open(config, stdout)) {
            session.run(StdStreams.stdin());
        } finally {
            stdout.flush();
        }
    }

    private String requiredHost() {
        if (host == null) {
            throw new ParameterException(
                    spec.commandLine(), "Missing required parameters: 'HOST', 'PORT' (or --unix PATH)");
        }
        return host;
    }

    private int requiredPort() {
        if (port == null) {
            throw new ParameterException(spec.commandLine(), "Missing required parameter: 'PORT'");
        }
        return port;
    }

    private void checkUnixOptions() {
        if (unix != null && host != null) {
            throw new ParameterException(spec.commandLine(), "--unix does not go with HOST PORT: give one");
        }
        if (unix != null && udp) {
            throw new ParameterException(spec.commandLine(), "--udp does not go with --unix (a unix stream socket)");
        }
        if (unix != null && tls) {
            throw new ParameterException(
                    spec.commandLine(), "--tls needs HOST PORT (a host name to verify), not --unix");
        }
    }

    /** With --udp, the options that need a connection. */
    private void checkUdpOptions() {
        if (udp && tls) {
            throw new ParameterException(spec.commandLine(), "--tls does not apply to --udp (TLS needs a connection)");
        }
        if (udp && spec.commandLine().getParseResult().hasMatchedOption("--hex-dump")) {
            throw new ParameterException(spec.commandLine(), "--hex-dump does not apply to --udp");
        }
    }

    private void checkTlsOptions() {
        if (!tls) {
            for (String option : List.of("--ca", "--insecure", "--tls-cert", "--tls-key")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new ParameterException(spec.commandLine(), option + " needs --tls");
                }
            }
        }
        if (insecure && ca != null) {
            throw new ParameterException(spec.commandLine(), "--insecure and --ca exclude each other: give one");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together: give both");
        }
    }

    private @Nullable SslContext newTlsContext() throws IOException {
        if (!tls) {
            return null;
        }
        KeyFiles identity = tlsCert != null && tlsKey != null ? new KeyFiles(tlsCert, tlsKey) : null;
        return TlsContexts.client(ca, insecure, identity, TlsProvider.AUTO);
    }
}
