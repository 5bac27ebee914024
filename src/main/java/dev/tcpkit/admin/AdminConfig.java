package dev.tcpkit.admin;

import org.jspecify.annotations.Nullable;

/**
 * Where the admin endpoint listens and what guards it.
 *
 * @param host the address to bind; {@code null} means 127.0.0.1, so only this machine can reach it
 * @param port the port; {@code 0} picks any free port
 * @param token a secret every request must carry ({@code Authorization: Bearer TOKEN} or {@code ?token=TOKEN}), or
 *     {@code null} for none
 */
public record AdminConfig(
        @Nullable String host, int port, @Nullable String token) {
    public AdminConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("admin port must be in 0..65535: " + port);
        }
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("admin token must not be blank");
        }
    }

    /** The host to bind: {@link #host()}, or 127.0.0.1. */
    String bindHost() {
        return host != null ? host : "127.0.0.1";
    }
}
