package dev.tcpkit.security;

import java.io.IOException;

/** TLS cannot be set up: a certificate or key file is missing or unusable, or a provider cannot load. */
public final class TlsSetupException extends IOException {
    private static final long serialVersionUID = 1L;

    TlsSetupException(String message) {
        super(message);
    }

    TlsSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
