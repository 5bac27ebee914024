package dev.tcpkit.app.client;

import java.io.IOException;

/** The connection could not be made, or was lost; the message is the one line a user sees. */
public final class ConnectFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    ConnectFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
