package dev.tcpkit.internal;

import io.netty.channel.ConnectTimeoutException;
import java.time.Duration;

/** Turns socket exceptions into the short reasons users know from C tools: {@code connection refused}. */
public final class Errors {
    private Errors() {}

    /** Why a connect failed: {@code timed out after 5000 ms} for the connect timeout, else {@link #reason}. */
    public static String connectReason(Throwable cause, Duration timeout) {
        return cause instanceof ConnectTimeoutException
                ? "timed out after " + timeout.toMillis() + " ms"
                : reason(cause);
    }

    /**
     * The reason a socket call failed, in lower case without the JDK's or the native transport's prefix: epoll says
     * {@code bind(..) failed: Address already in use}, io_uring {@code ... failed with error(-98): Address already in
     * use}, the JDK just {@code Address already in use}. The reason is what follows the last colon; for a file the
     * JDK says {@code /x/out.jsonl (No such file or directory)}, and the reason is in the parentheses; {@code
     * java.nio} says only the path, and the reason is the exception's type.
     */
    public static String reason(Throwable cause) {
        if (cause instanceof java.net.UnknownHostException) {
            return "unknown host";
        }
        // java.nio's file errors carry only the path as their message.
        // Netty's native transports throw a FileNotFoundException without a message for a missing socket file.
        if (cause instanceof java.nio.file.NoSuchFileException
                || (cause instanceof java.io.FileNotFoundException && cause.getMessage() == null)) {
            return "no such file or directory";
        }
        if (cause instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            return cause.getClass().getSimpleName();
        }
        int open = message.lastIndexOf(" (");
        if (cause instanceof java.io.FileNotFoundException && open >= 0 && message.endsWith(")")) {
            return lowerFirst(message.substring(open + 2, message.length() - 1));
        }
        // The reason is the last part of "context: reason"; Netty's native transports append ": /address" to it.
        String reason = message;
        int end = message.length();
        while (end > 0) {
            int colon = message.lastIndexOf(": ", end - 1);
            String part = message.substring(colon < 0 ? 0 : colon + 2, end);
            if (!part.startsWith("/") || colon < 0) {
                reason = part;
                break;
            }
            end = colon;
        }
        return lowerFirst(reason);
    }

    private static String lowerFirst(String reason) {
        return reason.isEmpty() ? reason : Character.toLowerCase(reason.charAt(0)) + reason.substring(1);
    }
}
