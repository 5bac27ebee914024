package dev.tcpkit.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import java.nio.channels.ClosedChannelException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The reasons as both providers phrase the same failures; the loopback tests produce the real ones. */
final class TlsErrorsTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "Received fatal alert: bad_certificate | the server rejected the certificate (bad_certificate)",
                "error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE"
                        + " | the server rejected the certificate (bad_certificate)",
                "Received fatal alert: certificate_required | the server requires a client certificate",
                "error:1000045c:SSL routines:OPENSSL_internal:TLSV13_ALERT_CERTIFICATE_REQUIRED"
                        + " | the server requires a client certificate",
                "error:10000438:SSL routines:OPENSSL_internal:TLSV1_ALERT_INTERNAL_ERROR"
                        + " | the server ended the handshake (internal_error)",
                "Received fatal alert: protocol_version | no TLS version in common",
                "PKIX path building failed: unable to find valid certification path | certificate not trusted",
                "error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED | certificate not trusted",
                "No subject alternative names matching IP address 127.0.0.1 found"
                        + " | certificate is for another host name",
                "Empty client certificate chain | no client certificate",
                "error:100000df:SSL routines:OPENSSL_internal:UNEXPECTED_MESSAGE | not TLS (plaintext or garbage)",
                "error:100000f5:SSL routines:OPENSSL_internal:UNEXPECTED_RECORD | not TLS (plaintext or garbage)",
                "Unexpected handshake message: client_hello | not TLS (plaintext or garbage)",
                "error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_UNEXPECTED_MESSAGE"
                        + " | the server ended the handshake (unexpected_message)",
                "Received fatal alert: unexpected_message | the server ended the handshake (unexpected_message)",
            })
    void namesTheFailureTheWayEitherProviderReportsIt(String message, String reason) {
        assertThat(TlsErrors.reason(new DecoderException(new SSLHandshakeException(message)), "server"))
                .isEqualTo(reason);
    }

    @org.junit.jupiter.api.Test
    void neverShowsTheHexDumpOfPlaintext() {
        NotSslRecordException e = new NotSslRecordException("not an SSL/TLS record: 474554202f20485454502f312e300d0a");
        assertThat(TlsErrors.reason(new DecoderException(e), "client")).isEqualTo("not TLS (plaintext or garbage)");
    }

    @org.junit.jupiter.api.Test
    void aCloseDuringTheHandshakeIsNotATlsProblem() {
        ClosedChannelException closed = new ClosedChannelException();
        assertThat(TlsErrors.reason(closed, "client")).isEqualTo("connection closed during the handshake");
        assertThat(TlsErrors.closedDuringHandshake(closed)).isTrue();
        assertThat(TlsErrors.isTls(new DecoderException(new SSLException("x")))).isTrue();
        assertThat(TlsErrors.isTls(closed)).isFalse();
    }
}
