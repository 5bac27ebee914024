package dev.tcpkit.admin;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where the admin endpoint listens and what guards it.
 *
 * @param host the address to bind; {@code null} means 127.0.0.1, so only this machine can reach it
 * @param port the port; {@code 0} picks any free port
 * @param token a secret every request must carry ({@code Authorization: Bearer TOKEN} or {@code ?token=TOKEN}), or
 *     {@code null} for none
 * @param allowedHosts host names, besides IP literals and {@code localhost}, that a request's {@code Host} may name
 *     (the name of a proxy or balancer the endpoint is put behind); compared without case and without the port
 * @param requestTimeout how long a connection has, from its connect or from its last answer, to send a whole request
 *     and take its answer; a connection that takes longer is closed
 */
public record AdminConfig(
        @Nullable String host, int port, @Nullable String token, List<String> allowedHosts, Duration requestTimeout) {
    /** The request deadline outside tests: long enough for a person typing into telnet, short for a slowloris. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    /** A DNS name: labels of letters, digits, {@code -} and {@code _}, dot-separated; no port, no wildcard. */
    private static final Pattern NAME =
            Pattern.compile("[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\\.?");

    public AdminConfig {
        checkPort(port);
        checkToken(token);
        for (String name : allowedHosts) {
            checkHostName(name);
        }
        allowedHosts = allowedHosts.stream().map(AdminConfig::normalize).toList();
        checkRequestTimeout(requestTimeout);
    }

    /** Throws {@link IllegalArgumentException} unless {@code port} is in 0..65535. */
    public static void checkPort(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("admin port must be in 0..65535: " + port);
        }
    }

    /** Throws {@link IllegalArgumentException} if {@code token} is blank: a secret anyone can guess guards nothing. */
    public static void checkToken(@Nullable String token) {
        if (token != null && token.isBlank()) {
            throw new IllegalArgumentException("admin token must not be blank");
        }
    }

    /** Throws {@link IllegalArgumentException} unless {@code requestTimeout} is positive. */
    public static void checkRequestTimeout(Duration requestTimeout) {
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("admin request timeout must be > 0: " + requestTimeout);
        }
    }

    /** An endpoint with no extra host names and the default request deadline. */
    public AdminConfig(@Nullable String host, int port, @Nullable String token) {
        this(host, port, token, List.of(), DEFAULT_REQUEST_TIMEOUT);
    }

    /**
     * Checks that {@code name} is a host name a {@code Host} header can carry, without a port.
     *
     * @throws IllegalArgumentException if it is not, quoting it
     */
    public static void checkHostName(String name) {
        if (!NAME.matcher(name).matches() || name.length() > 253) {
            throw new IllegalArgumentException("admin allowed host must be a host name, without a port: " + name);
        }
    }

    /** Lower case, without a final dot: {@code Admin.Example.} and {@code admin.example} are one name. */
    static String normalize(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }

    /** The host to bind: {@link #host()}, or 127.0.0.1. */
    String bindHost() {
        return host != null ? host : "127.0.0.1";
    }
}
