package dev.tcpkit.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * Writes events to stderr, those an event loop logs at info and below (a connect, a disconnect) behind its back: the
 * loop only queues the event, and a thread of this appender lays out and writes whatever has queued meanwhile, with one
 * write and one flush per batch. At thousands of connections a second, a layout, a {@code write(2)} and a flush per
 * event on the loop cost more than the connection itself.
 *
 * <p>Every other event (warnings and errors, anything from another thread: start-up, shutdown, a failure's one line)
 * is written and flushed at once, after what waits in the queue, so the order of the lines is kept and nothing waits
 * at exit behind a queue.
 */
final class StderrAppender extends OutputStreamAppender<ILoggingEvent> {
    private final ConcurrentLinkedQueue<ILoggingEvent> queue = new ConcurrentLinkedQueue<>();
    /** Set by the event that finds the writer idle; the writer clears it before it drains. */
    private final AtomicBoolean signalled = new AtomicBoolean();

    private @Nullable Thread writer;
    private volatile boolean running;
    /** Whether loops' events are queued: not once the JVM exits, when nothing would be left to write them. */
    private volatile boolean deferring;
    /** Writes what waits when the JVM exits (nothing stops Logback then), and from then on writes every event at once. */
    private @Nullable Thread exitHook;
    /** Where lines go: stderr, buffered. */
    private final OutputStream out;

    StderrAppender() {
        this(new Stderr());
    }

    /** An appender writing to {@code out} instead of stderr (for tests); {@code out} is flushed after each batch. */
    StderrAppender(OutputStream out) {
        this.out = out;
    }

    @Override
    public void start() {
        setImmediateFlush(false);
        setOutputStream(out);
        running = true;
        deferring = true;
        Thread t = new Thread(this::writeQueued, "tcpkit-log");
        t.setDaemon(true); // the queue is drained by every event written at once, by stop() and at exit
        writer = t;
        Thread hook = new Thread(
                () -> {
                    deferring = false;
                    drain();
                },
                "tcpkit-log-exit");
        exitHook = hook;
        Runtime.getRuntime().addShutdownHook(hook);
        super.start();
        t.start();
    }

    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        running = false;
        deferring = false;
        Thread hook = exitHook;
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                // stopped by the exit itself: the hook runs anyway and finds nothing left to write
            }
        }
        Thread t = writer;
        if (t != null) {
            LockSupport.unpark(t);
        }
        drain();
        super.stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (Thread.currentThread() instanceof FastThreadLocalThread
                && !event.getLevel().isGreaterOrEqual(Level.WARN)
                && deferring) {
            defer(event);
            queue.add(event);
            Thread t = writer;
            if (t != null && signalled.compareAndSet(false, true)) {
                LockSupport.unpark(t);
            }
            return;
        }
        streamWriteLock.lock();
        try {
            writeAll();
            super.append(event);
            flush();
        } finally {
            streamWriteLock.unlock();
        }
    }

    /**
     * Keeps what the writer could not learn later: the logging thread's name and MDC. The message is formatted on the
     * writer, from its arguments, unless one of them could change meanwhile (anything but strings, numbers, enums).
     */
    private static void defer(ILoggingEvent event) {
        event.getThreadName();
        event.getMDCPropertyMap();
        Object[] arguments = event.getArgumentArray();
        if (arguments != null) {
            for (Object argument : arguments) {
                if (!(argument instanceof String || argument instanceof Number || argument instanceof Enum<?>)) {
                    event.getFormattedMessage();
                    return;
                }
            }
        }
    }

    private void writeQueued() {
        while (running) {
            LockSupport.park(this);
            signalled.set(false); // before draining: an event queued from now on signals again
            drain();
        }
    }

    /** Writes what has queued, and flushes it. */
    private void drain() {
        streamWriteLock.lock();
        try {
            writeAll();
            flush();
        } finally {
            streamWriteLock.unlock();
        }
    }

    private void writeAll() {
        ILoggingEvent next;
        while ((next = queue.poll()) != null) {
            super.append(next);
        }
    }

    private void flush() {
        try {
            OutputStream o = getOutputStream();
            if (o != null) { // null once stopped
                o.flush();
            }
        } catch (IOException e) {
            addError("cannot flush stderr", e); // as Logback does for a failed write: stderr has nowhere to say it
        }
    }

    /** Buffered stderr that flushes instead of closing: the appender's stop must not close file descriptor 2. */
    private static final class Stderr extends BufferedOutputStream {
        Stderr() {
            super(new FileOutputStream(FileDescriptor.err), 16 * 1024);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
