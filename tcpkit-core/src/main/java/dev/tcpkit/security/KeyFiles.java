package dev.tcpkit.security;

import java.nio.file.Path;

/**
 * What one side of a TLS connection presents: its certificate and private key, each a PEM file.
 *
 * @param certificates the certificate first, then any intermediate certificates that lead to the trusted root
 * @param key the private key of that certificate: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 ({@code BEGIN RSA
 *     PRIVATE KEY}) or EC ({@code BEGIN EC PRIVATE KEY}), not encrypted
 */
public record KeyFiles(Path certificates, Path key) {}
