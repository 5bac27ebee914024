package dev.tcpkit.options;

/** Thrown when a transport was asked for by name but cannot be loaded on this machine. */
public final class TransportUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** {@code transport} was asked for by name and cannot load here, for the reason {@code cause} gives. */
    public TransportUnavailableException(Transport transport, Throwable cause) {
        super("transport " + transport.displayName() + " is not available here: " + describe(cause), cause);
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        return message == null ? cause.getClass().getSimpleName() : message;
    }
}
