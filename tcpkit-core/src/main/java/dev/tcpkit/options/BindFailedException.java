package dev.tcpkit.options;

import java.io.IOException;

/**
 * The listening socket could not be opened; the message is the one line a user sees, for example {@code cannot
 * listen on 0.0.0.0:50007: address already in use}.
 */
public final class BindFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** {@code cannot listen on HOST:PORT: REASON}. */
    public BindFailedException(String hostAndPort, String reason, Throwable cause) {
        super("cannot listen on " + hostAndPort + ": " + reason, cause);
    }

    /** For a side listener: {@code cannot listen on 127.0.0.1:9090 for the admin endpoint: address in use}. */
    public BindFailedException(String hostAndPort, String purpose, String reason, Throwable cause) {
        super("cannot listen on " + hostAndPort + " for " + purpose + ": " + reason, cause);
    }
}
