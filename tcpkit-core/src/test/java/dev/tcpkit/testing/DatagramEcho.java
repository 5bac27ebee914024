package dev.tcpkit.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A UDP echo on 127.0.0.1, on a JDK {@link DatagramSocket} and a thread of its own: each datagram goes back to its
 * sender unchanged, except every {@code n}th when it drops them. It remembers the first {@value #KEPT} datagrams.
 */
public final class DatagramEcho implements AutoCloseable {
    private static final int KEPT = 64;

    private final DatagramSocket socket;
    private final int dropEvery;
    private final Thread thread;
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final List<byte[]> first = new ArrayList<>();

    private DatagramEcho(int dropEvery) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.dropEvery = dropEvery;
        this.thread = new Thread(this::serve, "datagram-echo");
        thread.setDaemon(true);
        thread.start();
    }

    /** Echoes every datagram. */
    public static DatagramEcho start() throws IOException {
        return new DatagramEcho(0);
    }

    /** Drops every {@code n}th datagram (the {@code n}th, the {@code 2n}th, ...) and echoes the others. */
    public static DatagramEcho droppingEvery(int n) throws IOException {
        return new DatagramEcho(n);
    }

    public int port() {
        return socket.getLocalPort();
    }

    public long received() {
        return received.get();
    }

    public long dropped() {
        return dropped.get();
    }

    /** The first datagrams received, in order. */
    public synchronized List<byte[]> datagrams() {
        return List.copyOf(first);
    }

    private void serve() {
        byte[] buf = new byte[65_536];
        try {
            while (true) {
                DatagramPacket packet = new DatagramPacket(buf, buf.length);
                socket.receive(packet);
                long n = received.incrementAndGet();
                synchronized (this) {
                    if (first.size() < KEPT) {
                        first.add(Arrays.copyOf(packet.getData(), packet.getLength()));
                    }
                }
                if (dropEvery > 0 && n % dropEvery == 0) {
                    dropped.incrementAndGet();
                } else {
                    socket.send(packet);
                }
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Override
    public void close() {
        socket.close(); // its receive throws at once: the thread ends
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
