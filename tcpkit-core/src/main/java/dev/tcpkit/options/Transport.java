package dev.tcpkit.options;

import java.util.Locale;

/**
 * The I/O mechanism a server or client runs on.
 *
 * <p>{@link #AUTO} picks the best the operating system offers: epoll, then io_uring, then NIO. The native
 * transports are Linux-only; where a kernel or container forbids them, {@code AUTO} falls back quietly while an
 * explicit choice fails with the reason.
 */
public enum Transport {
    AUTO,
    IO_URING,
    EPOLL,
    NIO;

    /** The name users type and see: {@code io_uring}, {@code epoll}, {@code nio}, {@code auto}. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a user-typed name, case-insensitively; {@code iouring} and {@code io-uring} are accepted too. */
    public static Transport parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT).replace('-', '_');
        if (n.equals("iouring")) {
            n = "io_uring";
        }
        for (Transport t : values()) {
            if (t.displayName().equals(n)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport '" + name + "' (expected auto, io_uring, epoll or nio)");
    }
}
