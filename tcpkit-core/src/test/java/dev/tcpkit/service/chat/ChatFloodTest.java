package dev.tcpkit.service.chat;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.Services;
import dev.tcpkit.TcpServer;
import dev.tcpkit.testing.ChatClient;
import dev.tcpkit.testing.LogCapture;
import dev.tcpkit.testing.MemoryProbe;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One client sends 1-byte lines as fast as it can while 50 others read as fast as they can (issue 11, finding 3): the
 * flooder is slowed, not the room emptied. No reader is cut, what the server holds for the room stays bounded, and a
 * line from another client still reaches every reader, during the flood and after it.
 *
 * <p>Before the fix every reader was cut as "not reading" within seconds (the flooder's lines filled every outbox at
 * once), and the server held up to {@code --max-queue} for each of them. Prints its figures as one line on stdout,
 * prefixed {@code chat-flood:}.
 */
@Timeout(120)
final class ChatFloodTest {
    private static final int READERS = 50;
    private static final long FLOOD_NANOS = TimeUnit.SECONDS.toNanos(8);
    private static final int MAX_QUEUE = 1024 * 1024;

    @Test
    void aClientFloodingOneByteLinesIsSlowedWhileFiftyReadersAreNeitherCutNorCutOff() throws Exception {
        ChatService chat =
                Services.chat().maxQueue(MAX_QUEUE).stdout(Writer.nullWriter()).build();
        List<Reader> readers = new ArrayList<>();
        Socket flooder = new Socket();
        try (LogCapture log = LogCapture.of("dev.tcpkit");
                TcpServer server = TcpServer.builder()
                        .bind("127.0.0.1", 0)
                        .threads(2)
                        .service(chat)
                        .start()) {
            for (int i = 0; i < READERS; i++) {
                readers.add(Reader.connect(server.port()));
            }
            // The first reader also speaks: a client that talks normally while the flood goes on.
            Reader speaker = readers.get(0);
            List<Reader> listeners = readers.subList(1, READERS);
            byte[] during = ("<" + speaker.name + "> during the flood\n").getBytes(UTF_8);
            byte[] after = ("<" + speaker.name + "> after the flood\n").getBytes(UTF_8);
            for (Reader listener : listeners) {
                listener.watch(during, after);
            }
            long directBefore = MemoryProbe.usedDirectMemory();
            QueueSampler sampler = new QueueSampler(chat, 5).start();

            flooder.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()), 5_000);
            AtomicBoolean flooding = new AtomicBoolean(true);
            AtomicLong floodBytes = new AtomicLong();
            CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> flood(flooder, flooding, floodBytes));
            long start = System.nanoTime();

            // Half-way through the flood, a line from someone else.
            sleepUntil(start + FLOOD_NANOS / 2);
            try {
                speaker.say("during the flood");
            } catch (IOException cut) {
                // the speaker was cut: the figures below tell
            }
            sleepUntil(start + FLOOD_NANOS);
            flooding.set(false);
            // A write the server holds back blocks until it resumes reading: a short wait, then the socket goes (which
            // also ends that write).
            try {
                flood.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException stillBlocked) {
                flooder.close();
            }
            try {
                speaker.say("after the flood");
            } catch (IOException cut) {
                // the speaker was cut: the figures below tell
            }
            // Every listener reads through what the flood left for it, then hears the speaker; or it was cut.
            CompletableFuture<?>[] heard =
                    listeners.stream().map(Reader::heardBoth).toArray(CompletableFuture[]::new);
            try {
                CompletableFuture.allOf(heard).get(60, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                // counted below, after the figures are printed
            }
            long deaf = Arrays.stream(heard)
                    .filter(f -> !f.isDone() || f.isCompletedExceptionally())
                    .count();
            sampler.stop();

            long received = readers.stream().mapToLong(Reader::bytes).sum();
            System.out.println(String.format(
                    Locale.ROOT,
                    "chat-flood: %d readers, flooder sent %,d bytes of 1-byte lines in %.1f s; readers received"
                            + " %,d bytes; cut %d; all queues %,d bytes at most (largest %,d); Netty direct memory"
                            + " +%,d bytes at most; %d WARN lines; %d listeners did not hear the speaker",
                    READERS,
                    floodBytes.get(),
                    FLOOD_NANOS / 1e9,
                    received,
                    server.counters().cut(),
                    sampler.peakQueued(),
                    sampler.peakLargest(),
                    sampler.peakDirect() - directBefore,
                    log.lines().stream().filter(l -> l.startsWith("WARN")).count(),
                    deaf));

            // The flood did happen: more lines went out to the room than all its queues could ever have held.
            assertThat(floodBytes.get()).isGreaterThan(MAX_QUEUE);
            assertThat(received).isGreaterThan(2L * MAX_QUEUE);
            // Nobody who reads was cut, and every listener heard the other client, during the flood and after it.
            assertThat(readers).noneMatch(Reader::ended);
            assertThat(deaf).isZero();
            assertThat(server.counters().cut()).isZero();
            // Memory: what waits for the whole room stays within one client's --max-queue.
            assertThat(sampler.peakQueued()).isLessThanOrEqualTo(MAX_QUEUE);
            assertThat(sampler.peakDirect() - directBefore).isLessThan(64L * 1024 * 1024);
            // Closed before the server, which would otherwise wait its drain timeout for them.
            flooder.close();
            for (Reader reader : readers) {
                reader.close();
            }
        } finally {
            flooder.close();
            for (Reader reader : readers) {
                reader.close();
            }
        }
    }

    /** Writes {@code x\n} lines in 64 KiB writes until told to stop or the connection fails. */
    private static void flood(Socket socket, AtomicBoolean flooding, AtomicLong sent) {
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < chunk.length; i += 2) {
            chunk[i] = 'x';
            chunk[i + 1] = '\n';
        }
        try {
            while (flooding.get()) {
                socket.getOutputStream().write(chunk);
                sent.addAndGet(chunk.length);
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            // closed by the test after the flood, or cut: the assertions tell
        }
    }

    /** Waits until {@code deadline}: the flood's schedule, not synchronisation. */
    private static void sleepUntil(long deadline) throws InterruptedException {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
    }

    /**
     * A chat client reading as fast as it can on a thread of its own, counting bytes and watching for two lines.
     * Reads bytes, not lines: 50 readers decoding millions of lines would slow the test far more than the server.
     */
    private static final class Reader implements AutoCloseable {
        private final Socket socket;
        private final String name;
        private final AtomicLong bytes = new AtomicLong();
        private final ByteArrayOutputStream tail = new ByteArrayOutputStream();
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile boolean ended;
        private volatile byte[][] watched = new byte[0][];
        private final boolean[] seen = new boolean[2];

        private Reader(Socket socket, String name) {
            this.socket = socket;
            this.name = name;
        }

        static Reader connect(int port) throws IOException {
            Socket socket = new Socket();
            // Little for the kernel to hold: backlogs show up on the server, not in the kernel.
            socket.setReceiveBufferSize(128 * 1024);
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
            socket.setSoTimeout(60_000);
            socket.setTcpNoDelay(true);
            String welcome = readLine(socket.getInputStream());
            Matcher m = ChatClient.WELCOME.matcher(welcome);
            assertThat(m.matches()).as("welcome: %s", welcome).isTrue();
            Reader reader = new Reader(socket, m.group(1));
            Thread thread = new Thread(reader::readAll, "reader-" + reader.name);
            thread.setDaemon(true);
            thread.start();
            return reader;
        }

        /** Byte by byte up to the newline: nothing after it is taken from the stream. */
        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("end of stream before a line ended: " + line.toString(UTF_8));
                }
                line.write(b);
            }
            return line.toString(UTF_8);
        }

        void say(String line) throws IOException {
            socket.getOutputStream().write((line + "\n").getBytes(UTF_8));
            socket.getOutputStream().flush();
        }

        private void readAll() {
            byte[] buf = new byte[64 * 1024];
            try {
                InputStream in = socket.getInputStream();
                int n;
                while ((n = in.read(buf)) >= 0) {
                    bytes.addAndGet(n);
                    look(buf, n);
                }
                ended = true;
            } catch (SocketTimeoutException e) {
                done.completeExceptionally(new AssertionError(name + " got nothing for 60 s"));
                return;
            } catch (IOException e) {
                ended = !socket.isClosed(); // a reset from the server, unless the test closed it
            }
            done.completeExceptionally(new AssertionError(name + " was cut off after " + bytes + " bytes"));
        }

        /** Looks for the watched lines in what was just read, with the end of the previous read before it. */
        private void look(byte[] buf, int n) {
            byte[][] lines = watched;
            if (lines.length == 0) {
                return;
            }
            byte[] prefix = tail.toByteArray();
            byte[] window = Arrays.copyOf(prefix, prefix.length + n);
            System.arraycopy(buf, 0, window, prefix.length, n);
            String text = new String(window, ISO_8859_1);
            for (int i = 0; i < lines.length; i++) {
                if (!seen[i] && text.contains(new String(lines[i], ISO_8859_1))) {
                    seen[i] = true;
                }
            }
            if (seen[0] && seen[1]) {
                done.complete(null);
            }
            tail.reset();
            int keep = Math.min(window.length, 128);
            tail.write(window, window.length - keep, keep);
        }

        /** From now on, looks for these two lines in what arrives. */
        void watch(byte[] first, byte[] second) {
            watched = new byte[][] {first, second};
        }

        /** Completes once both watched lines have arrived; fails if the connection ends first. */
        CompletableFuture<Void> heardBoth() {
            return done;
        }

        long bytes() {
            return bytes.get();
        }

        boolean ended() {
            return ended;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
