package dev.tcpkit.testing;

import io.netty.pkitesting.X509Bundle;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.jspecify.annotations.Nullable;

/**
 * A blocking TLS client on the JDK's own TLS, independent of the server's code: connects to 127.0.0.1, verifies the
 * server's certificate (trusting {@code trust}) and that it is for {@code 127.0.0.1}, optionally presenting a client
 * certificate. Every read has a 5 s timeout.
 */
public final class TlsClient implements AutoCloseable {
    private final SSLSocket socket;

    private TlsClient(SSLSocket socket) {
        this.socket = socket;
    }

    /**
     * Connects and completes the handshake (which fails with an {@code SSLException} if the server is not trusted).
     *
     * @param trust the root to trust; {@code null} trusts any certificate
     * @param identity a client certificate with its key, or {@code null}
     */
    public static TlsClient connect(int port, @Nullable X509Bundle trust, @Nullable X509Bundle identity)
            throws IOException {
        SSLContext context;
        try {
            context = SSLContext.getInstance("TLS");
            TrustManager[] trustManagers = trust == null
                    ? io.netty.handler.ssl.util.InsecureTrustManagerFactory.INSTANCE.getTrustManagers()
                    : new TrustManager[] {trust.toTrustManager()};
            KeyManager[] keyManagers =
                    identity == null ? null : identity.toKeyManagerFactory().getKeyManagers();
            context.init(keyManagers, trustManagers, new SecureRandom());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        Socket plain = new Socket();
        plain.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        plain.setSoTimeout(5_000);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm(trust == null ? null : "HTTPS");
        socket.setSSLParameters(parameters);
        try {
            socket.startHandshake();
        } catch (IOException e) {
            socket.close();
            throw e;
        }
        return new TlsClient(socket);
    }

    public SSLSocket socket() {
        return socket;
    }

    public void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    /** Stops sending (TLS 1.3 {@code close_notify}, then the TCP half-close): the server sees end of input. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** Reads exactly {@code n} bytes, failing on end of stream or after the read timeout. */
    public byte[] readExactly(int n) throws IOException {
        byte[] b = socket.getInputStream().readNBytes(n);
        if (b.length != n) {
            throw new IOException("end of stream after " + b.length + " of " + n + " bytes");
        }
        return b;
    }

    /** Reads until the server closes the connection. */
    public byte[] readToEnd() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
