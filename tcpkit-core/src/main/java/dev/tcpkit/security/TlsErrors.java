package dev.tcpkit.security;

import dev.tcpkit.internal.Errors;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a TLS failure into a short reason a user can act on: {@code certificate not trusted}, {@code not TLS
 * (plaintext or garbage)}. Both providers are covered: the JDK says {@code PKIX path building failed: ...}, OpenSSL
 * {@code error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED}, and the alert a peer sends
 * arrives as {@code Received fatal alert: bad_certificate} or {@code SSLV3_ALERT_BAD_CERTIFICATE}.
 */
public final class TlsErrors {
    /** The reason given when the peer sends something other than TLS. */
    public static final String NOT_TLS = "not TLS (plaintext or garbage)";

    /**
     * An alert received from the other side: the JDK says {@code received fatal alert: bad_certificate}, OpenSSL
     * {@code sslv3_alert_bad_certificate} or {@code tlsv13_alert_certificate_required} (in lower case here).
     */
    private static final Pattern ALERT =
            Pattern.compile("received fatal alert: ([a-z0-9_]+)|(?:sslv3|tlsv1|tlsv13)_alert_([a-z0-9_]+)");

    /** Longest reason shown when none of the known ones applies. */
    private static final int MAX_FALLBACK = 160;

    private TlsErrors() {}

    /**
     * The reason {@code cause} ended a TLS handshake or session.
     *
     * @param peer what the other side is, for the reasons that name it: {@code server} or {@code client}
     */
    public static String reason(Throwable cause, String peer) {
        List<Throwable> all = causes(cause);
        for (Throwable t : all) {
            if (t instanceof SslHandshakeTimeoutException) {
                return "timed out";
            }
            if (t instanceof NotSslRecordException) {
                return NOT_TLS; // its message is a hex dump of the bytes: never shown
            }
            if (t instanceof CertificateExpiredException || isPkix(t, CertPathValidatorException.BasicReason.EXPIRED)) {
                return "certificate expired";
            }
            if (t instanceof CertificateNotYetValidException
                    || isPkix(t, CertPathValidatorException.BasicReason.NOT_YET_VALID)) {
                return "certificate not yet valid";
            }
        }
        String messages = messages(all);
        if (messages.contains("no subject alternative") || messages.contains("no name matching")) {
            return "certificate is for another host name";
        }
        if (messages.contains("empty client certificate chain")
                || messages.contains("peer_did_not_return_a_certificate")) {
            return "no client certificate";
        }
        if (messages.contains("pkix path") || messages.contains("certificate_verify_failed")) {
            return "certificate not trusted";
        }
        Matcher alert = ALERT.matcher(messages);
        if (alert.find()) {
            return alertReason(alert.group(1) != null ? alert.group(1) : alert.group(2), peer);
        }
        if (notTls(messages)) {
            return NOT_TLS;
        }
        if (messages.contains("wrong_version_number")
                || messages.contains("unsupported_protocol")
                || messages.contains("no appropriate protocol")) {
            return "no TLS version in common";
        }
        if (messages.contains("no_shared_cipher") || messages.contains("no cipher suites in common")) {
            return "no cipher suite in common";
        }
        if (all.stream().anyMatch(t -> t instanceof ClosedChannelException)
                || messages.contains("connection closed while ssl/tls handshake")) {
            return "connection closed during the handshake";
        }
        return fallback(all.get(all.size() - 1));
    }

    /**
     * Whether the peer answered with a well-formed record that no TLS peer would send at that point: a plaintext
     * server that does not speak first (echo) sends the client's own hello back. OpenSSL says {@code
     * OPENSSL_internal:UNEXPECTED_MESSAGE} (or {@code UNEXPECTED_RECORD}), the JDK {@code Unexpected handshake message:
     * client_hello}. An {@code unexpected_message} alert received from the peer is matched before, as the peer's word.
     */
    private static boolean notTls(String messages) {
        return messages.contains(":unexpected_message")
                || messages.contains(":unexpected_record")
                || messages.contains("unexpected handshake message")
                || messages.contains("unsupported or unrecognized ssl message");
    }

    /** What the other side said when it gave up, named as in RFC 8446 ({@code bad_certificate}). */
    private static String alertReason(String alert, String peer) {
        return switch (alert) {
            case "certificate_required" -> "the " + peer + " requires a client certificate";
            case "bad_certificate",
                    "unsupported_certificate",
                    "certificate_revoked",
                    "certificate_expired",
                    "certificate_unknown",
                    "unknown_ca",
                    "access_denied" -> "the " + peer + " rejected the certificate (" + alert + ")";
            case "protocol_version" -> "no TLS version in common";
            default -> "the " + peer + " ended the handshake (" + alert + ")";
        };
    }

    /** Whether {@code cause} is a TLS failure (an {@code SSLException}, possibly wrapped by a decoder). */
    public static boolean isTls(Throwable cause) {
        return causes(cause).stream().anyMatch(t -> t instanceof javax.net.ssl.SSLException);
    }

    /** Whether the connection merely closed before the handshake finished: a port probe, not a TLS problem. */
    static boolean closedDuringHandshake(Throwable cause) {
        return cause instanceof ClosedChannelException;
    }

    private static boolean isPkix(Throwable t, CertPathValidatorException.BasicReason reason) {
        return t instanceof CertPathValidatorException e && e.getReason() == reason;
    }

    /** The cause chain with suppressed exceptions, each once. */
    private static List<Throwable> causes(Throwable cause) {
        List<Throwable> all = new ArrayList<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        collect(cause, all, seen);
        return all;
    }

    private static void collect(Throwable t, List<Throwable> all, Set<Throwable> seen) {
        if (!seen.add(t)) {
            return;
        }
        all.add(t);
        for (Throwable s : t.getSuppressed()) {
            collect(s, all, seen);
        }
        Throwable next = t.getCause();
        if (next != null) {
            collect(next, all, seen);
        }
    }

    private static String messages(List<Throwable> all) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t : all) {
            if (!(t instanceof NotSslRecordException) && t.getMessage() != null) {
                sb.append(t.getMessage()).append('\n');
            }
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    private static String fallback(Throwable root) {
        String reason = Errors.reason(root);
        return reason.length() <= MAX_FALLBACK ? reason : reason.substring(0, MAX_FALLBACK) + "...";
    }
}
