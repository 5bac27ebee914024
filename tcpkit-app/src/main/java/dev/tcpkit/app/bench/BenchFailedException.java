package dev.tcpkit.app.bench;

import java.io.IOException;

/** The run could not happen at all (no connection could be opened); the message is the one line a user sees. */
public final class BenchFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    BenchFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
