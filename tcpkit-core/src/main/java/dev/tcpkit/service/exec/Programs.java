package dev.tcpkit.service.exec;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The running programs of one exec service and the threads that serve them: the pool that does their blocking pipe
 * I/O, the one thread that copies their stderr, and the timer that kills those that outlive SIGTERM.
 *
 * <p>The pool's threads are made as needed and end after 30 s idle. A program holds one while tcpkit waits for its
 * output (a blocked {@code read} of its stdout), and one more only while a write to its stdin waits for it to read.
 */
final class Programs {
    private final Duration killTimeout;
    private final ExecutorService io;
    private final ScheduledExecutorService killer;
    private final StderrLines stderr;
    private final Set<Process> running = ConcurrentHashMap.newKeySet();

    Programs(Duration killTimeout, OutputStream stderr) {
        this.killTimeout = killTimeout;
        // Netty's threads, so that the allocator's per-thread caches serve the buffers they fill.
        this.io = new ThreadPoolExecutor(
                0,
                Integer.MAX_VALUE,
                30,
                TimeUnit.SECONDS,
                new SynchronousQueue<>(),
                new DefaultThreadFactory("tcpkit-exec", true));
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tcpkit-exec-kill");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        this.killer = timer;
        this.stderr = new StderrLines(stderr);
    }

    /** Starts a program; it is tracked until it exits, and its stderr copied, each line prefixed with {@code client}. */
    @SuppressWarnings("FutureReturnValueIgnored") // the callback cannot fail
    Process start(ProcessBuilder builder, String client) throws IOException {
        Process process = builder.start();
        running.add(process);
        process.onExit().thenRun(() -> running.remove(process));
        stderr.watch(process, client);
        return process;
    }

    /** Runs blocking pipe I/O on the pool. */
    void execute(Runnable task) {
        io.execute(task);
    }

    /**
     * Sends SIGTERM to the program and to every process below it, then SIGKILL to those still alive after the kill
     * timeout. The tree is taken before the first signal: a child whose parent dies is re-parented and leaves it.
     */
    @SuppressWarnings("FutureReturnValueIgnored") // the kill is never cancelled: close() runs it early instead
    void terminate(Process process) {
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroy();
        tree.forEach(ProcessHandle::destroy);
        try {
            killer.schedule(() -> kill(process, tree), killTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            kill(process, tree); // the service is closing: close() kills what is left at once
        }
    }

    /** SIGKILL to the program, the tree taken at SIGTERM, and what is below the program now. */
    private static void kill(Process process, List<ProcessHandle> tree) {
        List<ProcessHandle> now = process.descendants().toList();
        process.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        now.forEach(ProcessHandle::destroyForcibly);
    }

    /**
     * Ends every program still running: SIGTERM, then SIGKILL after the kill timeout or {@code timeout}, whichever
     * comes first, to them and to whatever an earlier SIGTERM has not ended yet; then stops the threads.
     */
    void close(Duration timeout) {
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), killTimeout.toNanos());
        List<Process> left = List.copyOf(running);
        left.forEach(this::terminate);
        try {
            for (Process p : left) {
                long wait = deadline - System.nanoTime();
                if (wait > 0) {
                    p.onExit().get(wait, TimeUnit.NANOSECONDS);
                }
            }
        } catch (TimeoutException | ExecutionException late) {
            // killed below
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        // The SIGKILLs not yet due, now: the timer's thread would die with the JVM, leaving the processes behind.
        killer.shutdownNow().forEach(Runnable::run);
        io.shutdownNow();
        try {
            stderr.stop(1000);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
