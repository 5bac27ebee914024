package dev.tcpkit.security;

import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.options.TlsSetupException;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * Netty {@link SslContext}s for tcpkit's servers and client, from PEM files or a certificate made at start.
 *
 * <pre>{@code
 * SslContext tls = TlsContexts.server(new KeyFiles(Path.of("cert.pem"), Path.of("key.pem")), null, TlsProvider.AUTO);
 * TcpServer.builder().tls(tls).service(Services.echo()).start();
 * }</pre>
 *
 * <p>Every failure is a {@link TlsSetupException} whose message is one line naming the file and the problem.
 */
public final class TlsContexts {
    private TlsContexts() {}

    /**
     * A server presenting the certificate chain and key in {@code identity}.
     *
     * @param clientCa {@code null}, or PEM certificates of the CAs whose client certificates are accepted: clients
     *     must then present one
     */
    public static SslContext server(KeyFiles identity, @Nullable Path clientCa, TlsProvider provider)
            throws TlsSetupException {
        PemFiles.Identity id = PemFiles.identity(identity);
        return server(id, clientCa, provider);
    }

    /**
     * A server presenting a self-signed certificate made now, for {@code localhost}, {@code 127.0.0.1}, {@code ::1}
     * and the extra {@code names} (host names or IP literals). For development: clients cannot verify it.
     */
    public static SslContext selfSignedServer(List<String> names, @Nullable Path clientCa, TlsProvider provider)
            throws TlsSetupException {
        Set<String> all = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        all.addAll(names);
        return server(DevCertificate.generate(new ArrayList<>(all)), clientCa, provider);
    }

    private static SslContext server(PemFiles.Identity id, @Nullable Path clientCa, TlsProvider provider)
            throws TlsSetupException {
        SslContextBuilder builder = SslContextBuilder.forServer(id.key(), id.chain());
        if (clientCa != null) {
            builder.trustManager(PemFiles.certificates(clientCa, "TLS client CA"))
                    .clientAuth(ClientAuth.REQUIRE);
        }
        return build(builder, provider);
    }

    /**
     * A client that verifies the server's certificate chain and that the certificate is for the host connected to.
     *
     * @param ca {@code null} to trust the system's CAs (the JDK's trust store), or PEM certificates to trust instead
     * @param insecure skip all verification: any certificate, for any host, is accepted
     * @param identity {@code null}, or the client certificate and key to present to servers that ask for one
     */
    public static SslContext client(
            @Nullable Path ca, boolean insecure, @Nullable KeyFiles identity, TlsProvider provider)
            throws TlsSetupException {
        if (insecure && ca != null) {
            throw new IllegalArgumentException("insecure and a CA exclude each other");
        }
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (insecure) {
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            builder.endpointIdentificationAlgorithm("HTTPS");
            if (ca != null) {
                builder.trustManager(PemFiles.certificates(ca, "TLS CA"));
            }
        }
        if (identity != null) {
            PemFiles.Identity id = PemFiles.identity(identity);
            builder.keyManager(id.key(), id.chain());
        }
        return build(builder, provider);
    }

    private static SslContext build(SslContextBuilder builder, TlsProvider provider) throws TlsSetupException {
        try {
            return builder.sslProvider(netty(provider.resolve())).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsSetupException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** Netty's name for a resolved provider. */
    private static SslProvider netty(TlsProvider provider) {
        return switch (provider) {
            case OPENSSL -> SslProvider.OPENSSL;
            case JDK -> SslProvider.JDK;
            case AUTO -> throw new IllegalStateException("resolve() AUTO first");
        };
    }
}
