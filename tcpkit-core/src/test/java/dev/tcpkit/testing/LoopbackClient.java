package dev.tcpkit.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.Charset;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** A blocking client socket on 127.0.0.1 with the few helpers tests need; every read has a timeout. */
public final class LoopbackClient implements AutoCloseable {
    private final Socket socket;

    private LoopbackClient(Socket socket) {
        this.socket = socket;
    }

    /** Connects to {@code port} on 127.0.0.1 with a 5 s read timeout. */
    public static LoopbackClient connect(int port) throws IOException {
        return connect(InetAddress.getLoopbackAddress(), port);
    }

    /** Connects to {@code address}:{@code port} with a 5 s read timeout. */
    public static LoopbackClient connect(InetAddress address, int port) throws IOException {
        return connect(null, address, port);
    }

    /**
     * Connects from {@code source} (any port; {@code null} lets the kernel choose) to 127.0.0.1:{@code port}. On Linux
     * every 127.x.y.z is loopback, so tests can play clients from several addresses.
     */
    public static LoopbackClient connectFrom(String source, int port) throws IOException {
        return connect(InetAddress.getByName(source), InetAddress.getLoopbackAddress(), port);
    }

    private static LoopbackClient connect(@Nullable InetAddress source, InetAddress address, int port)
            throws IOException {
        Socket s = new Socket();
        if (source != null) {
            s.bind(new InetSocketAddress(source, 0));
        }
        s.connect(new InetSocketAddress(address, port), 5_000);
        s.setSoTimeout(5_000);
        s.setTcpNoDelay(true);
        return new LoopbackClient(s);
    }

    public Socket socket() {
        return socket;
    }

    public void send(byte[] bytes) throws IOException {
        socket.getOutputStream().write(bytes);
        socket.getOutputStream().flush();
    }

    public void send(String text, Charset charset) throws IOException {
        send(text.getBytes(charset));
    }

    /** Stops sending: the server sees end of input. */
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

    /**
     * Reads whatever arrives until the server closes the connection, treating a reset as that close: what a client
     * turned away on arrival sees is EOF or a reset, depending on whether it had sent anything yet.
     */
    public byte[] readUntilClosedOrReset() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (java.net.SocketException reset) {
            if (!String.valueOf(reset.getMessage()).contains("reset")) {
                throw reset;
            }
        }
        return out.toByteArray();
    }

    /** Reads until the server closes the connection (or the read timeout passes, which fails). */
    public byte[] readToEnd() throws IOException {
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    /** Sets the read timeout. */
    public LoopbackClient readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        return this;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
