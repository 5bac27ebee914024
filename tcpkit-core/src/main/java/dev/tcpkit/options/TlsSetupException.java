package dev.tcpkit.options;

import java.io.IOException;

/** TLS cannot be set up: a certificate or key file is missing or unusable, or a provider cannot load. */
public final class TlsSetupException extends IOException {
    private static final long serialVersionUID = 1L;

    /** A failure whose message is the one line a user sees. */
    public TlsSetupException(String message) {
        super(message);
    }

    /** A failure whose message is the one line a user sees, with what caused it. */
    public TlsSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
