package dev.tcpkit.service.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Copies every program's stderr to tcpkit's stderr, each line prefixed with its client ({@code 127.0.0.1:53210: ...}),
 * on one thread for all the programs of a service.
 *
 * <p>A pipe cannot be waited on without a thread blocked in {@code read}, and a blocked thread per program is what
 * this service avoids; so the thread looks at each pipe every 20 ms and reads only what {@code available()} says is
 * there. Stderr is diagnostics: 20 ms late is fine. A line longer than 8 KiB goes out in pieces, each prefixed; the
 * program's bytes pass unchanged. Once the program has exited, what it wrote is copied, then the pipe is dropped
 * (a grandchild still holding it is not waited for).
 */
final class StderrLines {
    private static final int MAX_LINE = 8 * 1024;
    private static final long POLL_MILLIS = 20;

    private final OutputStream out;
    private final LinkedBlockingQueue<Source> added = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean stopped;

    StderrLines(OutputStream out) {
        this.out = out;
        this.thread = new Thread(this::run, "tcpkit-exec-stderr");
        thread.setDaemon(true);
        thread.start();
    }

    /** Copies {@code process}'s stderr from now on, its lines prefixed with {@code client}. */
    void watch(Process process, String client) {
        added.add(new Source(process, client));
    }

    /** Stops the thread after a last look at every pipe, waiting at most {@code millis}. */
    void stop(long millis) throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(Math.max(1, millis));
    }

    private void run() {
        List<Source> sources = new ArrayList<>();
        while (true) {
            try {
                Source first =
                        sources.isEmpty() && !stopped ? added.take() : added.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (first != null) {
                    sources.add(first);
                }
            } catch (InterruptedException stopping) {
                // stop() interrupts a wait; the last sweep below still copies what is there.
            }
            added.drainTo(sources);
            sweep(sources);
            if (stopped) {
                return;
            }
        }
    }

    private void sweep(List<Source> sources) {
        try {
            for (Iterator<Source> it = sources.iterator(); it.hasNext(); ) {
                if (it.next().copy(out) || stopped) {
                    it.remove();
                }
            }
            out.flush();
        } catch (IOException stderrGone) {
            // tcpkit's own stderr is gone: nothing can be said anywhere; the programs' lines are dropped.
            sources.clear();
        }
    }

    /** One program's stderr and its unfinished line. */
    private static final class Source {
        private final Process process;
        private final InputStream in;
        private final byte[] prefix;
        private final byte[] line = new byte[MAX_LINE];
        private int length;

        Source(Process process, String client) {
            this.process = process;
            this.in = process.getErrorStream();
            this.prefix = (client + ": ").getBytes(StandardCharsets.UTF_8);
        }

        /** Copies the whole lines there are; {@code true} once the program has exited and everything is copied. */
        boolean copy(OutputStream out) throws IOException {
            boolean exited = !process.isAlive(); // before reading: what it wrote before exiting is read below
            int read = 0;
            try {
                int available;
                while ((available = in.available()) > 0) {
                    int n = in.read(line, length, Math.min(available, MAX_LINE - length));
                    if (n < 0) {
                        exited = true;
                        break;
                    }
                    read += n;
                    lines(out, length, n);
                }
            } catch (IOException closed) {
                exited = true;
            }
            if (exited && read == 0) {
                if (length > 0) {
                    emit(out, length);
                }
                return true;
            }
            return false;
        }

        /** Emits each line ended among the {@code n} bytes just read at {@code from}, keeping the rest. */
        private void lines(OutputStream out, int from, int n) throws IOException {
            int end = from + n;
            int start = 0;
            for (int i = from; i < end; i++) {
                if (line[i] == '\n') {
                    emitRange(out, start, i - start);
                    start = i + 1;
                }
            }
            length = end - start;
            System.arraycopy(line, start, line, 0, length);
            if (length == MAX_LINE) {
                emit(out, length);
            }
        }

        private void emit(OutputStream out, int n) throws IOException {
            emitRange(out, 0, n);
            length = 0;
        }

        private void emitRange(OutputStream out, int start, int n) throws IOException {
            out.write(prefix);
            out.write(line, start, n);
            out.write('\n');
        }
    }
}
