package dev.tcpkit.app.cli;

import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.options.TlsSource;
import dev.tcpkit.security.KeyFiles;
import dev.tcpkit.security.TlsContexts;
import java.nio.file.Path;
import java.util.List;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** TLS to {@code serve forward}'s upstreams: the {@code Upstream TLS} section of its help. */
final class UpstreamTlsOptions {
    @Option(
            names = "--to-tls",
            description = "Speak TLS to the upstreams: verify each one's certificate against the system's CAs"
                    + " (or --to-ca) and that it is for the host in --to (or --to-sni).")
    boolean toTls;

    @Option(
            names = "--to-ca",
            paramLabel = "FILE",
            description = "With --to-tls: trust these PEM CA certificates instead.")
    @Nullable
    Path toCa;

    @Option(
            names = "--to-insecure",
            description = "With --to-tls: accept any certificate for any host (no verification; for testing).")
    boolean toInsecure;

    @Option(
            names = "--to-sni",
            paramLabel = "NAME",
            description = "With --to-tls: the host name to send in SNI and to expect in the certificate"
                    + " (default: the --to host when it is a name; none for an IP address).")
    @Nullable
    String toSni;

    @Option(
            names = "--to-cert",
            paramLabel = "FILE",
            description = "With --to-tls: present this PEM client certificate (and intermediates); needs --to-key.")
    @Nullable
    Path toCert;

    @Option(
            names = "--to-key",
            paramLabel = "FILE",
            description = "The PEM private key of --to-cert: PKCS#8, PKCS#1 (RSA) or EC, not encrypted.")
    @Nullable
    Path toKey;

    /** Options that do not fit together are usage errors, before any file is read. */
    void check(CommandSpec spec) {
        if (!toTls) {
            for (String option : List.of("--to-ca", "--to-insecure", "--to-sni", "--to-cert", "--to-key")) {
                if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
                    throw new ParameterException(spec.commandLine(), option + " needs --to-tls");
                }
            }
        }
        if (toInsecure && toCa != null) {
            throw new ParameterException(spec.commandLine(), "--to-insecure and --to-ca exclude each other: give one");
        }
        if ((toCert == null) != (toKey == null)) {
            throw new ParameterException(spec.commandLine(), "--to-cert and --to-key go together: give both");
        }
    }

    /** Where the upstreams' client context comes from (the files, read at start and on SIGHUP); {@code null}: plain TCP. */
    @Nullable
    TlsSource source(TlsProvider provider) {
        if (!toTls) {
            return null;
        }
        KeyFiles identity = toCert != null && toKey != null ? new KeyFiles(toCert, toKey) : null;
        Path ca = toCa;
        boolean insecure = toInsecure;
        return () -> TlsContexts.client(ca, insecure, identity, provider);
    }
}
