package dev.tcpkit.transport;

import java.io.IOException;

/**
 * The listening socket could not be opened; the message is the one line a user sees, for example {@code cannot
 * listen on 0.0.0.0:50007: address already in use}.
 */
public final class BindFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    BindFailedException(String hostAndPort, String reason, Throwable cause) {
        super("cannot listen on " + hostAndPort + ": " + reason, cause);
    }

    /** Turns a bind failure from the JDK or a native transport into the short reason users know from C tools. */
    static String reasonOf(Throwable cause) {
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        // epoll says "bind(..) failed: Address already in use", io_uring "bind(..) failed with error(-98): Address
        // already in use", the JDK just "Address already in use": the reason is what follows the last colon.
        int colon = message.lastIndexOf(": ");
        String reason = colon >= 0 ? message.substring(colon + 2) : message;
        return reason.isEmpty() ? reason : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }
}
