package dev.tcpkit.security;

import dev.tcpkit.internal.Errors;
import dev.tcpkit.options.TlsSetupException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.jspecify.annotations.Nullable;

/**
 * Reads certificates and private keys from PEM files (Bouncy Castle's parser, which knows every key format OpenSSL
 * writes), with errors that name the file and say what is wrong with it.
 */
final class PemFiles {
    /** Far more than any certificate chain or key: a bigger file is the wrong file. */
    private static final long MAX_SIZE = 1024 * 1024;

    private PemFiles() {}

    /** A certificate chain, leaf first, and its private key, checked to belong together. */
    static Identity identity(KeyFiles files) throws TlsSetupException {
        List<X509Certificate> chain = certificates(files.certificates(), "TLS certificate");
        PrivateKey key = privateKey(files.key());
        checkPair(key, chain.get(0), files);
        return new Identity(key, chain);
    }

    /** Every certificate in {@code file}; at least one. {@code what} names the file's role in errors. */
    static List<X509Certificate> certificates(Path file, String what) throws TlsSetupException {
        List<X509Certificate> certificates = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        for (Object o : objects(file, what)) {
            if (o instanceof X509CertificateHolder holder) {
                try {
                    certificates.add(converter.getCertificate(holder));
                } catch (CertificateException e) {
                    throw new TlsSetupException(what + " " + file + ": unusable certificate: " + e.getMessage(), e);
                }
            }
        }
        if (certificates.isEmpty()) {
            throw new TlsSetupException(what + " " + file + ": no certificate in it (expected PEM: BEGIN CERTIFICATE)");
        }
        return certificates;
    }

    /** The one private key in {@code file}: PKCS#8, PKCS#1 (RSA) or SEC1 (EC), not encrypted. */
    static PrivateKey privateKey(Path file) throws TlsSetupException {
        String what = "TLS private key";
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        for (Object o : objects(file, what)) {
            try {
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMKeyPair pair) {
                    // Only the private half: an EC key may come without its public key.
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
            } catch (IOException e) {
                throw new TlsSetupException(what + " " + file + ": unusable key: " + e.getMessage(), e);
            }
            if (o instanceof PKCS8EncryptedPrivateKeyInfo || o instanceof PEMEncryptedKeyPair) {
                throw new TlsSetupException(what + " " + file
                        + ": the key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)");
            }
        }
        throw new TlsSetupException(what + " " + file
                + ": no private key in it (expected PEM: BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE"
                + " KEY)");
    }

    private static List<Object> objects(Path file, String what) throws TlsSetupException {
        try {
            if (Files.isRegularFile(file) && Files.size(file) > MAX_SIZE) {
                throw new TlsSetupException(what + " " + file + ": too large for a PEM file");
            }
            List<Object> objects = new ArrayList<>();
            // ISO-8859-1 reads any byte: a stray one is the parser's to reject, with its reason.
            try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1);
                    PEMParser parser = new PEMParser(reader)) {
                Object o;
                while ((o = parser.readObject()) != null) {
                    objects.add(o);
                }
            }
            return objects;
        } catch (TlsSetupException e) {
            throw e;
        } catch (IOException e) {
            if (e.getClass().getName().startsWith("org.bouncycastle")) {
                throw new TlsSetupException(what + " " + file + ": not valid PEM: " + e.getMessage(), e);
            }
            throw new TlsSetupException("cannot read " + what + " " + file + ": " + Errors.reason(e), e);
        } catch (RuntimeException e) {
            // The parser reports some malformed content (bad base64, bad DER) as unchecked exceptions.
            throw new TlsSetupException(what + " " + file + ": not valid PEM: " + e.getMessage(), e);
        }
    }

    /** Fails unless {@code key} signs what the certificate's public key verifies: the two belong together. */
    private static void checkPair(PrivateKey key, X509Certificate certificate, KeyFiles files)
            throws TlsSetupException {
        String algorithm = signatureAlgorithm(key);
        if (algorithm == null) {
            return; // an unusual key type: the handshake will tell
        }
        byte[] probe = "tcpkit key check".getBytes(StandardCharsets.US_ASCII);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false; // e.g. an EC certificate with an RSA key
        }
        if (!matches) {
            throw new TlsSetupException("TLS private key " + files.key() + " does not belong to the certificate in "
                    + files.certificates());
        }
    }

    private static @Nullable String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null;
        };
    }

    /** A private key and the certificate chain it belongs to, leaf first. */
    record Identity(PrivateKey key, List<X509Certificate> chain) {
        Identity {
            chain = List.copyOf(chain);
        }
    }
}
