package dev.tcpkit.app.cli;

import dev.tcpkit.internal.Errors;
import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.options.TlsSetupException;
import dev.tcpkit.options.Transport;
import dev.tcpkit.transport.IoSupport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * {@code --version}: tcpkit's version (from the jar's manifest) and commit (recorded at build time), Netty's and the
 * JVM's. With {@code --verbose} also which transports and TLS providers work here, as {@code haproxy -vv} shows its
 * build: only then are the native libraries loaded, so that plain {@code --version} stays fast.
 */
final class VersionProvider implements IVersionProvider {
    /** The commit, written by the build from {@code git rev-parse} (pom.xml); absent in a build without git. */
    private static final String COMMIT_RESOURCE = "git-commit";
    /** The Netty version the build used, filled in from the pom. */
    private static final String NETTY_RESOURCE = "netty-version";

    @Spec
    @Nullable
    CommandSpec spec;

    @Override
    public String[] getVersion() {
        String version = VersionProvider.class.getPackage().getImplementationVersion();
        List<String> lines = new ArrayList<>();
        lines.add("tcpkit " + (version == null ? "(development build)" : version) + " (commit "
                + resource(COMMIT_RESOURCE) + ")");
        lines.add("Netty " + resource(NETTY_RESOURCE));
        lines.add("Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        if (verbose()) {
            lines.add("Transports (auto takes the first available):");
            for (Transport t : List.of(Transport.EPOLL, Transport.IO_URING, Transport.NIO)) {
                Throwable cause = IoSupport.unavailabilityCause(t);
                lines.add(row(t.displayName(), cause == null ? "available" : "unavailable: " + Errors.reason(cause)));
            }
            lines.add("TLS providers (auto takes the first available):");
            for (TlsProvider p : List.of(TlsProvider.OPENSSL, TlsProvider.JDK)) {
                String state;
                try {
                    state = "available: " + p.implementation();
                } catch (TlsSetupException e) {
                    state = "unavailable: " + Errors.reason(e.getCause() != null ? e.getCause() : e);
                }
                lines.add(row(p.displayName(), state));
            }
        }
        return lines.toArray(String[]::new);
    }

    private static String row(String name, String state) {
        return String.format(Locale.ROOT, "  %-9s %s", name, state);
    }

    /** Whether {@code --verbose} came with {@code --version}. */
    private boolean verbose() {
        ParseResult parsed = spec == null ? null : spec.commandLine().getParseResult();
        return parsed != null && parsed.hasMatchedOption("--verbose");
    }

    /** A one-line file the build wrote beside this class, or "unknown". */
    private static String resource(String name) {
        try (InputStream in = VersionProvider.class.getResourceAsStream(name)) {
            String value = in == null ? "" : new String(in.readAllBytes(), StandardCharsets.US_ASCII).strip();
            return value.isEmpty() ? "unknown" : value;
        } catch (IOException e) {
            return "unknown";
        }
    }
}
