package dev.tcpkit.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * A loopback TCP relay for one client that can hold back what the client sends until it half-closes, then pass it all
 * on in a single write: the server then reads the client's last bytes and its end together, as it may from any real
 * network, but every time. While it holds, it also reads nothing of the server's answers, through a small receive
 * buffer: the server has its answers still queued when it sees the client's end.
 */
public final class HoldingRelay implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final AtomicBoolean holding = new AtomicBoolean();
    private final CountDownLatch delivered = new CountDownLatch(1);
    private volatile @Nullable Socket client;
    private volatile @Nullable Socket server;

    private HoldingRelay(ServerSocket listener, int target) {
        this.listener = listener;
        this.target = target;
    }

    /** Listens on a loopback port of its own and relays its one client to {@code port} on loopback. */
    public static HoldingRelay to(int port) throws IOException {
        ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        HoldingRelay relay = new HoldingRelay(listener, port);
        Thread t = new Thread(relay::run, "relay-accept");
        t.setDaemon(true);
        t.start();
        return relay;
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** From now on, the client's bytes wait until it half-closes; then they go on in one write, and the half-close. */
    public void hold() {
        holding.set(true);
    }

    private void run() {
        try {
            Socket from = listener.accept();
            client = from;
            Socket to = new Socket();
            server = to;
            to.setReceiveBufferSize(4096);
            to.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5_000);
            Thread back = new Thread(() -> back(to, from), "relay-back");
            back.setDaemon(true);
            back.start();
            forward(from, to);
        } catch (IOException e) {
            closeQuietly(); // the test sees the client fail
        }
    }

    private void forward(Socket from, Socket to) throws IOException {
        InputStream in = from.getInputStream();
        ByteArrayOutputStream held = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        for (int n; (n = in.read(buf)) >= 0; ) {
            if (holding.get()) {
                held.write(buf, 0, n);
            } else {
                to.getOutputStream().write(buf, 0, n);
            }
        }
        to.getOutputStream().write(held.toByteArray());
        to.shutdownOutput();
        delivered.countDown();
    }

    private void back(Socket from, Socket to) {
        try {
            InputStream in = from.getInputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) >= 0; ) {
                if (holding.get() && delivered.getCount() > 0) {
                    delivered.await(10, TimeUnit.SECONDS);
                    Thread.sleep(100); // the server takes in the client's end while its answers wait
                }
                to.getOutputStream().write(buf, 0, n);
            }
            to.shutdownOutput();
        } catch (IOException e) {
            // one side closed: close() or the test ends it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeQuietly() {
        for (AutoCloseable c : new AutoCloseable[] {client, server, listener}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
