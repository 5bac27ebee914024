package dev.tcpkit.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tcpkit.options.TlsProvider;
import dev.tcpkit.options.TlsSetupException;
import dev.tcpkit.testing.TestPki;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Certificates and keys from PEM files: every format OpenSSL writes, and one clear line for each bad file. */
final class TlsContextsTest {
    @TempDir
    Path dir;

    private TestPki.PemPaths pem;

    @BeforeEach
    void writeCertificates() {
        pem = TestPki.get().writeTo(dir);
    }

    @ParameterizedTest
    @EnumSource(names = {"OPENSSL", "JDK"})
    void readsPkcs8Pkcs1AndEcKeysWithEachProvider(TlsProvider provider) throws Exception {
        assumeThat(provider != TlsProvider.OPENSSL || OpenSsl.isAvailable()).isTrue();
        for (KeyFiles files : new KeyFiles[] {
            new KeyFiles(pem.serverChain(), pem.serverKey()),
            new KeyFiles(pem.serverChain(), pem.serverEcKey()),
            new KeyFiles(pem.rsaServerChain(), pem.rsaServerPkcs1Key())
        }) {
            SslContext context = TlsContexts.server(files, null, provider);
            assertThat(TlsProvider.of(context)).isEqualTo(provider);
        }
        assertThat(Files.readString(pem.serverEcKey())).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(Files.readString(pem.rsaServerPkcs1Key())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    }

    @Test
    void saysWhichFileIsMissing() {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> TlsContexts.server(new KeyFiles(missing, pem.serverKey()), null, TlsProvider.JDK))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("cannot read TLS certificate " + missing + ": no such file or directory");
        assertThatThrownBy(() -> TlsContexts.server(new KeyFiles(pem.serverChain(), missing), null, TlsProvider.JDK))
                .hasMessage("cannot read TLS private key " + missing + ": no such file or directory");
        assertThatThrownBy(() -> TlsContexts.client(missing, false, null, TlsProvider.JDK))
                .hasMessage("cannot read TLS CA " + missing + ": no such file or directory");
    }

    @Test
    void saysWhenAFileHoldsNoCertificateOrNoKey() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "just some text\n");
        assertThatThrownBy(() -> TlsContexts.server(new KeyFiles(text, pem.serverKey()), null, TlsProvider.JDK))
                .hasMessage("TLS certificate " + text + ": no certificate in it (expected PEM: BEGIN CERTIFICATE)");
        // A certificate where the key should be: the usual mix-up.
        assertThatThrownBy(() ->
                        TlsContexts.server(new KeyFiles(pem.serverChain(), pem.serverChain()), null, TlsProvider.JDK))
                .hasMessageStartingWith("TLS private key " + pem.serverChain() + ": no private key in it");
        Path der = Files.write(
                dir.resolve("cert.der"), TestPki.get().server.getCertificate().getEncoded());
        assertThatThrownBy(() -> TlsContexts.server(new KeyFiles(der, pem.serverKey()), null, TlsProvider.JDK))
                .hasMessageStartingWith("TLS certificate " + der + ": ");
    }

    @Test
    void saysWhenPemIsDamaged() throws Exception {
        String damaged = Files.readString(pem.serverChain()).replaceFirst("\n[A-Za-z0-9+/]{8}", "\n!!!!????");
        Path file = Files.writeString(dir.resolve("damaged.pem"), damaged);
        assertThatThrownBy(() -> TlsContexts.server(new KeyFiles(file, pem.serverKey()), null, TlsProvider.JDK))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("TLS certificate " + file + ": not valid PEM");
    }

    @Test
    void refusesAKeyThatDoesNotBelongToTheCertificate() {
        assertThatThrownBy(() ->
                        TlsContexts.server(new KeyFiles(pem.serverChain(), pem.clientKey()), null, TlsProvider.JDK))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("TLS private key " + pem.clientKey() + " does not belong to the certificate in "
                        + pem.serverChain());
        assertThatThrownBy(() -> TlsContexts.server(
                        new KeyFiles(pem.serverChain(), pem.rsaServerPkcs1Key()), null, TlsProvider.JDK))
                .hasMessageContaining("does not belong to the certificate");
    }

    @Test
    void refusesAnEncryptedKeyWithAHint() throws Exception {
        // As `openssl genrsa -aes128` writes it; the parser sees the encryption before decoding the content.
        Path encrypted = Files.writeString(dir.resolve("encrypted.key"), """
                -----BEGIN RSA PRIVATE KEY-----
                Proc-Type: 4,ENCRYPTED
                DEK-Info: AES-128-CBC,6A1FD4E0E7A2C7A2B1A0F9E8D7C6B5A4

                c29tZSBlbmNyeXB0ZWQgYnl0ZXMsIG5vdCBhIHJlYWwga2V5
                -----END RSA PRIVATE KEY-----
                """, StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> TlsContexts.server(new KeyFiles(pem.serverChain(), encrypted), null, TlsProvider.JDK))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageContaining("encrypted");
    }

    @Test
    void refusesAClientContextForAServer() throws Exception {
        SslContext client = TlsContexts.client(null, true, null, TlsProvider.JDK);
        assertThatThrownBy(() -> dev.tcpkit.TcpServer.builder().tls(client))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
