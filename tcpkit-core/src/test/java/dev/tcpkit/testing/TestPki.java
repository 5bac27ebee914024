package dev.tcpkit.testing;

import io.netty.pkitesting.CertificateBuilder;
import io.netty.pkitesting.X509Bundle;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Certificates for TLS tests, made in memory when first used (so none ever expires in the repository): a root CA,
 * an intermediate CA it signed, a server certificate for {@code localhost}, {@code 127.0.0.1} and {@code ::1} and a
 * client certificate, both signed by the intermediate; a second, unrelated root; an expired server certificate;
 * and a server certificate for another host name.
 *
 * <p>{@link #writeTo} puts them in a directory as the PEM files users have: chains leaf first, keys PKCS#8, and the
 * server key also as PKCS#1 (RSA) and SEC1 (EC), the formats OpenSSL's older commands write.
 */
public final class TestPki {
    private static final TestPki INSTANCE = create();

    public final X509Bundle root;
    public final X509Bundle intermediate;
    public final X509Bundle server;
    public final X509Bundle rsaServer;
    public final X509Bundle client;
    public final X509Bundle otherRoot;
    public final X509Bundle expiredServer;
    public final X509Bundle otherHostServer;

    private TestPki(
            X509Bundle root,
            X509Bundle intermediate,
            X509Bundle server,
            X509Bundle rsaServer,
            X509Bundle client,
            X509Bundle otherRoot,
            X509Bundle expiredServer,
            X509Bundle otherHostServer) {
        this.root = root;
        this.intermediate = intermediate;
        this.server = server;
        this.rsaServer = rsaServer;
        this.client = client;
        this.otherRoot = otherRoot;
        this.expiredServer = expiredServer;
        this.otherHostServer = otherHostServer;
    }

    /** The certificates of this test JVM, made once. */
    public static TestPki get() {
        return INSTANCE;
    }

    @SuppressWarnings("IllegalCatch") // CertificateBuilder declares Exception
    private static TestPki create() {
        try {
            Instant now = Instant.now();
            X509Bundle root = ca("CN=tcpkit test root").buildSelfSigned();
            X509Bundle intermediate = ca("CN=tcpkit test intermediate").buildIssuedBy(root);
            CertificateBuilder localhost = leaf("CN=localhost")
                    .addSanDnsName("localhost")
                    .addSanIpAddress("127.0.0.1")
                    .addSanIpAddress("::1")
                    .addExtendedKeyUsageServerAuth();
            X509Bundle server = localhost.copy().buildIssuedBy(intermediate);
            X509Bundle rsaServer = localhost.copy().rsa2048().buildIssuedBy(intermediate);
            X509Bundle expired = localhost
                    .copy()
                    .notBefore(now.minus(Duration.ofDays(30)))
                    .notAfter(now.minus(Duration.ofDays(1)))
                    .buildIssuedBy(intermediate);
            X509Bundle otherHost = leaf("CN=example.invalid")
                    .addSanDnsName("example.invalid")
                    .addExtendedKeyUsageServerAuth()
                    .buildIssuedBy(intermediate);
            X509Bundle client = leaf("CN=tcpkit test client")
                    .addExtendedKeyUsageClientAuth()
                    .buildIssuedBy(intermediate);
            X509Bundle otherRoot = ca("CN=some other root").buildSelfSigned();
            return new TestPki(root, intermediate, server, rsaServer, client, otherRoot, expired, otherHost);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make test certificates", e);
        }
    }

    private static CertificateBuilder ca(String subject) {
        Instant now = Instant.now();
        return new CertificateBuilder()
                .subject(subject)
                .ecp256()
                .setIsCertificateAuthority(true)
                .notBefore(now.minus(Duration.ofDays(1)))
                .notAfter(now.plus(Duration.ofDays(30)));
    }

    private static CertificateBuilder leaf(String subject) {
        Instant now = Instant.now();
        return new CertificateBuilder()
                .subject(subject)
                .ecp256()
                .notBefore(now.minus(Duration.ofDays(1)))
                .notAfter(now.plus(Duration.ofDays(30)));
    }

    /**
     * Writes the PEM files into {@code dir} and returns their paths: {@code root.pem}, {@code other-root.pem}, {@code server.pem} (server
     * and intermediate), {@code server.key}, {@code server-pkcs1.pem} with {@code server-pkcs1.key} (RSA),
     * {@code server-ec.key} (SEC1), {@code client.pem}, {@code client.key}, {@code expired.pem}, {@code
     * expired.key}, {@code other-host.pem}, {@code other-host.key}.
     */
    public PemPaths writeTo(Path dir) {
        try {
            write(dir.resolve("root.pem"), root.getCertificatePEM());
            write(dir.resolve("other-root.pem"), otherRoot.getCertificatePEM());
            write(dir.resolve("server.pem"), server.getCertificatePathPEM());
            write(dir.resolve("server.key"), server.getPrivateKeyPEM());
            write(dir.resolve("server-ec.key"), sec1(server));
            write(dir.resolve("server-pkcs1.pem"), rsaServer.getCertificatePathPEM());
            write(dir.resolve("server-pkcs1.key"), traditional(rsaServer));
            write(dir.resolve("client.pem"), client.getCertificatePathPEM());
            write(dir.resolve("client.key"), client.getPrivateKeyPEM());
            write(dir.resolve("expired.pem"), expiredServer.getCertificatePathPEM());
            write(dir.resolve("expired.key"), expiredServer.getPrivateKeyPEM());
            write(dir.resolve("other-host.pem"), otherHostServer.getCertificatePathPEM());
            write(dir.resolve("other-host.key"), otherHostServer.getPrivateKeyPEM());
            return new PemPaths(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An RSA key as OpenSSL's older commands write it: PKCS#1, {@code BEGIN RSA PRIVATE KEY}. */
    private static String traditional(X509Bundle bundle) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(out)) {
            pem.writeObject(bundle.getKeyPair().getPrivate());
        }
        return out.toString();
    }

    /**
     * An EC key as {@code openssl ecparam -genkey} writes it: SEC1, {@code BEGIN EC PRIVATE KEY}, with the curve and
     * the public key inside.
     */
    private static String sec1(X509Bundle bundle) throws IOException {
        KeyPair keys = bundle.getKeyPair();
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
        SubjectPublicKeyInfo publicKey =
                SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded());
        ECPrivateKey sec1 = new ECPrivateKey(
                256,
                ((java.security.interfaces.ECPrivateKey) keys.getPrivate()).getS(),
                publicKey.getPublicKeyData(),
                info.getPrivateKeyAlgorithm().getParameters());
        StringWriter out = new StringWriter();
        try (PemWriter pem = new PemWriter(out)) {
            pem.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        }
        return out.toString();
    }

    private static void write(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.US_ASCII);
    }

    /** The paths of the written PEM files. */
    public record PemPaths(Path dir) {
        public Path root() {
            return dir.resolve("root.pem");
        }

        public Path otherRoot() {
            return dir.resolve("other-root.pem");
        }

        public Path serverChain() {
            return dir.resolve("server.pem");
        }

        public Path serverKey() {
            return dir.resolve("server.key");
        }

        public Path serverEcKey() {
            return dir.resolve("server-ec.key");
        }

        public Path rsaServerChain() {
            return dir.resolve("server-pkcs1.pem");
        }

        public Path rsaServerPkcs1Key() {
            return dir.resolve("server-pkcs1.key");
        }

        public Path clientChain() {
            return dir.resolve("client.pem");
        }

        public Path clientKey() {
            return dir.resolve("client.key");
        }

        public Path expiredChain() {
            return dir.resolve("expired.pem");
        }

        public Path expiredKey() {
            return dir.resolve("expired.key");
        }

        public Path otherHostChain() {
            return dir.resolve("other-host.pem");
        }

        public Path otherHostKey() {
            return dir.resolve("other-host.key");
        }
    }
}
