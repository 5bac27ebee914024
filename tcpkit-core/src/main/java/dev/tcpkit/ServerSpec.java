package dev.tcpkit;

import dev.tcpkit.admin.AdminConfig;
import dev.tcpkit.guard.GuardConfig;
import dev.tcpkit.options.TlsSource;
import dev.tcpkit.security.ServerTls;
import dev.tcpkit.service.Service;
import dev.tcpkit.transport.ServerConfig;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * Everything a {@link TcpServer} is made of, checked and fixed before it binds: {@link TcpServer.Builder} collects it
 * and {@link TcpServer#start} runs it. Each part checks its own values (the rules and their messages live in the
 * records), so a spec that exists is one that can be started.
 *
 * @param server the listening socket: address, backlog, transport, threads, once, drain timeout
 * @param guard admission and the idle timeout: limits, access rules, the PROXY protocol
 * @param admin the admin endpoint, or {@code null} for none
 * @param tls a server TLS context, or {@code null} for plain TCP
 * @param tlsSource where {@code tls} came from, to make it again on a reload; {@code null} if it cannot be
 * @param tlsHandshakeTimeout with {@code tls}, how long a client may take to complete the handshake; zero: no limit
 * @param service what each admitted connection is served with
 * @param udp whether the server serves datagrams instead of connections; then nothing that needs a connection
 * @param maxDatagram with {@code udp}, the largest datagram in bytes: a longer one is dropped, counted
 */
record ServerSpec(
        ServerConfig server,
        GuardConfig guard,
        @Nullable AdminConfig admin,
        @Nullable SslContext tls,
        @Nullable TlsSource tlsSource,
        Duration tlsHandshakeTimeout,
        Service service,
        boolean udp,
        int maxDatagram) {

    ServerSpec {
        if (tls != null) {
            ServerTls.checkContext(tls);
        }
        ServerTls.checkHandshakeTimeout(tlsHandshakeTimeout);
        checkMaxDatagram(maxDatagram);
        if (server.unix() != null) {
            if (!guard.allow().isEmpty() || !guard.deny().isEmpty() || guard.maxConnectionsPerIp() > 0) {
                throw new IllegalArgumentException(
                        "allow, deny and maxConnectionsPerIp are for IP addresses, not a unix socket");
            }
            if (udp) {
                throw new IllegalArgumentException("udp serves a UDP port, not a unix stream socket");
            }
        }
        if (udp) {
            checkServesDatagrams(service);
            needsAConnection("tls", tls != null);
            needsAConnection("proxyProtocol", guard.proxyProtocol());
            needsAConnection("idleTimeout", !guard.idleTimeout().isZero());
            needsAConnection("maxConnections", guard.maxConnections() > 0);
            needsAConnection("maxConnectionsPerIp", guard.maxConnectionsPerIp() > 0);
        }
    }

    /** Throws {@link IllegalArgumentException} if {@code maxDatagram} is below 1. */
    static void checkMaxDatagram(int maxDatagram) {
        if (maxDatagram < 1) {
            throw new IllegalArgumentException("maxDatagram must be >= 1: " + maxDatagram);
        }
    }

    private static void checkServesDatagrams(Service service) {
        if (!service.servesDatagrams()) {
            throw new IllegalArgumentException(service.name() + " needs a connection: it does not serve datagrams");
        }
    }

    private static void needsAConnection(String option, boolean given) {
        if (given) {
            throw new IllegalArgumentException(option + " needs a connection: it does not go with udp");
        }
    }

    /** TLS for the connections of one server, or {@code null} for plain TCP. */
    @Nullable
    ServerTls serverTls() {
        return tls == null ? null : new ServerTls(tls, tlsHandshakeTimeout);
    }
}
