package dev.tcpkit.app.cli;

import dev.tcpkit.app.client.ClientConfig;
import dev.tcpkit.app.client.ConsoleSession;
import dev.tcpkit.app.client.ProxyUrl;
import dev.tcpkit.internal.StdStreams;
import dev.tcpkit.internal.TerminalCharset;
import dev.tcpkit.options.TlsProvider;
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
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tcpkit connect HOST PORT}: a netcat-style client. */
@Command(
        name = "connect",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        description = {
            "Connects to a TCP server: what you type (or pipe in) is sent, what arrives is printed.",
            "",
            "At the end of input the connection is half-closed and printing goes on until the server closes.",
            "With --send, sends each TEXT and waits for the reply instead of reading stdin."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the connection ended (the server closed, or --timeout of silence after --send)",
            "1:cannot connect (refused, unknown host, timed out; a proxy refused or is unreachable) or the TLS"
                    + " handshake failed",
            "2:usage error"
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  tcpkit connect 127.0.0.1 50007",
            "  tcpkit connect 127.0.0.1 8080 --send 'hello'",
            "  tcpkit connect 127.0.0.1 31500 --recv-first --send hihi",
            "  tcpkit connect 127.0.0.1 7788 --encoding gbk",
            "  tcpkit connect example.org 443 --tls",
            "  tcpkit connect example.org 443 --tls --proxy socks5h://127.0.0.1:1080"
        })
final class ConnectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "HOST", description = "Server name or address.")
    String host;

    @Parameters(index = "1", paramLabel = "PORT", description = "Server port.")
    int port;

    @Option(
            names = {"-e", "--encoding"},
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
            description = "Connect timeout; with --send or --recv-first, how long to wait for the server to speak"
                    + " (default: ${DEFAULT-VALUE}).")
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

    @Mixin
    ClientProxyOption proxy;

    @Mixin
    Verbosity verbosity;

    @Override
    public Integer call() throws IOException, InterruptedException {
        ClientConfig plain;
        try {
            plain = new ClientConfig(host, port, encoding, TerminalCharset.get(), sends, recvFirst, timeout);
        } catch (IllegalArgumentException e) {
            throw UsageErrors.of(spec, e);
        }
        checkTlsOptions();
        ProxyUrl through = proxy.parse(spec);
        verbosity.apply();
        ClientConfig config = plain.withTls(newTlsContext()).withProxy(through);
        OutputStream stdout = StdStreams.stdout();
        try (ConsoleSession session = ConsoleSession.connect(config, stdout)) {
            session.run(StdStreams.stdin());
        } finally {
            stdout.flush();
        }
        return 0;
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
