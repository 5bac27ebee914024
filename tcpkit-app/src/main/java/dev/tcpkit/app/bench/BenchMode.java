package dev.tcpkit.app.bench;

import java.util.Locale;

/** What a bench run does with its connections. */
public enum BenchMode {
    /** Each connection keeps {@code depth} messages in flight and sends the next when an echo completes. */
    PINGPONG,
    /** Each connection keeps a window of chunks (256 KiB by default) unechoed; the headline figure is MB/s. */
    STREAM,
    /** Open the connections, hold them, then check that each one still echoes one message. */
    CONNECT;

    /** The name users type and see: {@code pingpong}, {@code stream}, {@code connect}. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
