package dev.tcpkit.options;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.util.Locale;
import javax.net.ssl.SSLContext;

/**
 * Which TLS implementation runs the handshakes and the encryption.
 *
 * <p>{@link #AUTO} picks OpenSSL (BoringSSL, shipped with tcpkit for Linux x86_64 and aarch64) when its native
 * library loads here, the JDK's own TLS otherwise; both speak TLS 1.2 and 1.3.
 */
public enum TlsProvider {
    AUTO,
    OPENSSL,
    JDK;

    /** The name users type and see: {@code auto}, {@code openssl}, {@code jdk}. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a user-typed name, case-insensitively. */
    public static TlsProvider parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (TlsProvider p : values()) {
            if (p.displayName().equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown TLS provider '" + name + "' (expected auto, openssl or jdk)");
    }

    /**
     * The provider to use: {@link #AUTO} resolved to what this machine has.
     *
     * @throws TlsSetupException if OpenSSL was asked for by name and cannot load here
     */
    public TlsProvider resolve() throws TlsSetupException {
        return switch (this) {
            case AUTO -> OpenSsl.isAvailable() ? OPENSSL : JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    Throwable cause = OpenSsl.unavailabilityCause();
                    throw new TlsSetupException(
                            "TLS provider openssl is not available here: " + cause.getMessage(), cause);
                }
                yield OPENSSL;
            }
            case JDK -> JDK;
        };
    }

    /**
     * What this provider runs on here, for {@code tcpkit --version --verbose}: {@code BoringSSL (netty-tcnative)} or
     * the JDK's TLS provider's name and version.
     *
     * @throws TlsSetupException if it is {@link #OPENSSL} and cannot load here, with the reason
     */
    public String implementation() throws TlsSetupException {
        return switch (resolve()) {
            case OPENSSL -> OpenSsl.versionString() + " (netty-tcnative)";
            default -> {
                try {
                    Provider jsse = SSLContext.getDefault().getProvider();
                    yield jsse.getName() + " " + jsse.getVersionStr();
                } catch (NoSuchAlgorithmException e) {
                    throw new TlsSetupException("the JDK has no default TLS context: " + e.getMessage(), e);
                }
            }
        };
    }

    /** The provider a context was built with: {@link #OPENSSL} or {@link #JDK}. */
    public static TlsProvider of(SslContext context) {
        return context instanceof ReferenceCountedOpenSslContext ? OPENSSL : JDK;
    }
}
