package dev.tcpkit.options;

import io.netty.handler.ssl.SslContext;

/**
 * Where a server's TLS context comes from, so that it can be made again: read once at start, and again on each {@code
 * TcpServer.reload()}, e.g. from the same certificate and key files after they were renewed.
 */
@FunctionalInterface
public interface TlsSource {
    /**
     * A server context made now.
     *
     * @throws TlsSetupException saying in one line which file is wrong and why
     */
    SslContext load() throws TlsSetupException;
}
