package dev.tcpkit.app.cli;

import dev.tcpkit.TcpServer;
import dev.tcpkit.internal.Addresses;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.security.KeyFiles;
import dev.tcpkit.security.TlsContexts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** A server's TLS: the {@code TLS} section of every {@code serve} service's help. */
final class TlsOptions {
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
    TlsProvider tlsProvider = TlsProvider.AUTO;

    /**
     * Options that do not fit together are usage errors, before any file is read.
     *
     * @param upstreamTls whether the service speaks TLS to upstreams, which {@code --tls-provider} applies to too
     */
    void check(CommandSpec spec, boolean upstreamTls) {
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together: give both");
        }
        if (tlsSelfSigned && tlsCert != null) {
            throw new ParameterException(
                    spec.commandLine(), "--tls-self-signed and --tls-cert exclude each other: give one");
        }
        boolean tls = tlsSelfSigned || tlsCert != null;
        if (!tls && !upstreamTls && spec.commandLine().getParseResult().hasMatchedOption("--tls-provider")) {
            throw new ParameterException(
                    spec.commandLine(), "--tls-provider needs TLS: add --tls-cert and --tls-key, or --tls-self-signed");
        }
        if (!tls && tlsClientCa != null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--tls-client-ca needs TLS: add --tls-cert and --tls-key, or --tls-self-signed");
        }
    }

    /**
     * Sets the server's TLS, if any: a self-signed certificate names {@code host} unless the server listens on every
     * interface; certificate and key files are read again on each reload ({@code SIGHUP}).
     */
    void applyTo(TcpServer.Builder builder, @Nullable String host) throws IOException {
        if (tlsSelfSigned) {
            List<String> names = host == null || isWildcard(host) ? List.of() : List.of(Addresses.unbracket(host));
            builder.tls(TlsContexts.selfSignedServer(names, tlsClientCa, tlsProvider));
        } else if (tlsCert != null && tlsKey != null) {
            KeyFiles files = new KeyFiles(tlsCert, tlsKey);
            Path clientCa = tlsClientCa;
            TlsProvider provider = tlsProvider;
            builder.tls(() -> TlsContexts.server(files, clientCa, provider));
        }
    }

    private static boolean isWildcard(String host) {
        String h = Addresses.unbracket(host);
        return h.equals("0.0.0.0") || h.equals("::") || h.equals("0:0:0:0:0:0:0:0");
    }
}
