package dev.tcpkit.security;

import dev.tcpkit.options.TlsSetupException;
import io.netty.util.NetUtil;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed certificate made at start, for development ({@code --tls-self-signed}): an EC P-256 key that lives
 * only in memory, valid from a day ago (clocks differ) for a year, for the given host names and addresses.
 * Clients cannot verify it: they connect with {@code --insecure}.
 */
final class DevCertificate {
    static final Duration VALIDITY = Duration.ofDays(365);

    private DevCertificate() {}

    /** A new key and a certificate for {@code names} (DNS names or IP literals); the first is also its CN. */
    static PemFiles.Identity generate(List<String> names) throws TlsSetupException {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("names must not be empty");
        }
        try {
            SecureRandom random = new SecureRandom();
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            KeyPair keys = generator.generateKeyPair();
            X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                    .addRDN(BCStyle.CN, names.get(0))
                    .addRDN(BCStyle.O, "tcpkit development certificate")
                    .build();
            Instant now = Instant.now();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            subject,
                            new BigInteger(64, random).add(BigInteger.ONE),
                            Date.from(now.minus(Duration.ofDays(1))),
                            Date.from(now.plus(VALIDITY)),
                            subject,
                            keys.getPublic())
                    .addExtension(Extension.subjectAlternativeName, false, alternativeNames(names))
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            X509Certificate certificate = new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
            return new PemFiles.Identity(keys.getPrivate(), List.of(certificate));
        } catch (GeneralSecurityException | CertIOException | OperatorCreationException e) {
            throw new TlsSetupException("cannot make a self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static GeneralNames alternativeNames(List<String> names) {
        GeneralName[] general = names.stream()
                .map(n -> NetUtil.isValidIpV4Address(n) || NetUtil.isValidIpV6Address(n)
                        ? new GeneralName(GeneralName.iPAddress, n)
                        : new GeneralName(GeneralName.dNSName, n))
                .toArray(GeneralName[]::new);
        return new GeneralNames(general);
    }
}
