package dev.tcpkit.options;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.ReferenceCountedOpenSslContext;
import io.netty.handler.ssl.SslContext;
import java.util.Locale;

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

    /** The provider a context was built with: {@link #OPENSSL} or {@link #JDK}. */
    public static TlsProvider of(SslContext context) {
        return context instanceof ReferenceCountedOpenSslContext ? OPENSSL : JDK;
    }
}
