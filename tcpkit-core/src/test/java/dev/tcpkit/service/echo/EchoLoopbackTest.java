package dev.tcpkit.service.echo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.ByteCounter;
import dev.tcpkit.testing.LoopbackClient;
import dev.tcpkit.testing.MemoryProbe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Echo over real loopback sockets: integrity under concurrency and chunking, and half-close. */
@Timeout(120)
final class EchoLoopbackTest {

    @Test
    void twoHundredClientsGetEveryByteBackInOrderWhateverTheChunking() throws Exception {
        int clients = 200;
        int size = 256 * 1024;
        ExecutorService pool = Executors.newFixedThreadPool(2 * clients);
        try (TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .service(Services.echo())
                .start()) {
            List<Future<Void>> written = new ArrayList<>();
            List<Future<byte[]>> echoed = new ArrayList<>();
            List<byte[]> sent = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                byte[] data = new byte[size];
                SplittableRandom random = new SplittableRandom(c);
                random.nextBytes(data);
                sent.add(data);
                LoopbackClient client = LoopbackClient.connect(server.port());
                // Write and read concurrently, as a real client must: echo stops reading when we stop reading.
                written.add(pool.submit(() -> writeInRandomChunks(client, data, random)));
                echoed.add(pool.submit(() -> {
                    try (client) {
                        return client.readExactly(size);
                    }
                }));
            }
            for (int c = 0; c < clients; c++) {
                written.get(c).get(60, TimeUnit.SECONDS);
                byte[] got = echoed.get(c).get(60, TimeUnit.SECONDS);
                assertThat(Arrays.equals(got, sent.get(c)))
                        .as("client %d got its 256 KiB back intact", c)
                        .isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static Void writeInRandomChunks(LoopbackClient client, byte[] data, SplittableRandom random)
            throws IOException {
        OutputStream out = client.socket().getOutputStream();
        int off = 0;
        while (off < data.length) {
            int n = Math.min(data.length - off, 1 + random.nextInt(16 * 1024));
            out.write(data, off, n);
            off += n;
        }
        out.flush();
        return null;
    }

    @Test
    void sendsEverythingBackBeforeClosingWhenTheClientHalfCloses() throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.echo())
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            byte[] data = new byte[1024 * 1024];
            new SplittableRandom(7).nextBytes(data);
            CompletableFuture<byte[]> echoed = CompletableFuture.supplyAsync(() -> {
                try {
                    return client.readToEnd();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            client.send(data);
            client.shutdownOutput();
            assertThat(echoed.get(30, TimeUnit.SECONDS)).isEqualTo(data);
        }
    }

    @Test
    void servesIpv6Loopback() throws Exception {
        byte[] loopback6 = new byte[16];
        loopback6[15] = 1;
        InetAddress v6 = InetAddress.getByAddress(loopback6);
        try (TcpServer server = TcpServer.builder()
                        .bind("::1", 0)
                        .service(Services.echo())
                        .start();
                LoopbackClient client = LoopbackClient.connect(v6, server.port())) {
            client.send("over ipv6".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(new String(client.readToEnd(), java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("over ipv6");
        }
    }

    @Test
    void aClientThatNeverReadsIsSlowedWhileOthersAreServed() throws Exception {
        try (TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .threads(1) // the greedy client and the good one share an event loop
                .service(Services.echo())
                .start()) {
            LoopbackClient greedy = LoopbackClient.connect(server.port());
            long directBefore = MemoryProbe.usedDirectMemory();
            long heapBefore = MemoryProbe.usedHeapAfterGc();
            ByteCounter sent = new ByteCounter();
            Thread writer = new Thread(() -> sendForever(greedy.socket(), sent, 100L * 1024 * 1024), "greedy");
            writer.setDaemon(true);
            writer.start();

            // The writer stalls once the kernel buffers and the server's bounded outbound buffer are full.
            long stalledAt = sent.awaitStall();
            assertThat(stalledAt)
                    .as("bytes the never-reading client could push before the server stopped reading")
                    .isLessThan(32L * 1024 * 1024);

            try (LoopbackClient good = LoopbackClient.connect(server.port())) {
                good.send(new byte[] {1, 2, 3});
                assertThat(good.readExactly(3)).containsExactly(1, 2, 3);
            }
            assertThat(MemoryProbe.usedDirectMemory() - directBefore)
                    .as("direct memory held for the never-reading client")
                    .isLessThan(8L * 1024 * 1024);
            assertThat(MemoryProbe.usedHeapAfterGc() - heapBefore)
                    .as("heap held for the never-reading client")
                    .isLessThan(32L * 1024 * 1024);
            greedy.close(); // unblocks the writer
            writer.join(10_000);
        }
    }

    private static void sendForever(java.net.Socket socket, ByteCounter sent, long limit) {
        byte[] chunk = new byte[64 * 1024];
        try {
            OutputStream out = socket.getOutputStream();
            while (sent.get() < limit) {
                out.write(chunk);
                sent.add(chunk.length);
            }
        } catch (IOException closedByTest) {
            // The test closes the socket once it has measured; the blocked write then fails.
        }
    }

    @Test
    void echoesBytesOfAnyValue() throws Exception {
        try (TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .service(Services.echo())
                        .start();
                LoopbackClient client = LoopbackClient.connect(server.port())) {
            byte[] all = new byte[256];
            for (int i = 0; i < 256; i++) {
                all[i] = (byte) i;
            }
            client.send(all);
            InputStream in = client.socket().getInputStream();
            assertThat(in.readNBytes(256)).isEqualTo(all);
        }
    }
}
