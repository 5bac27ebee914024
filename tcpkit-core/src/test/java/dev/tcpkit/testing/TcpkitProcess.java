package dev.tcpkit.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A program under test running as a real process: {@code java -jar target/tcpkit.jar ARGS...} (or, for the tutorials'
 * counterparts, any command), with its stdout and stderr captured as they arrive and its stdin open for writing.
 *
 * <p>Every wait is bounded; {@link #close()} always ends the process, forcibly if it does not stop on SIGTERM.
 *
 * <pre>{@code
 * try (TcpkitProcess server = TcpkitProcess.startServe("echo", "--idle-timeout", "3s")) {
 *     int port = server.awaitListening();
 *     ...
 * }
 * }</pre>
 */
public final class TcpkitProcess implements AutoCloseable {
    /**
     * The start-up line, e.g. {@code tcpkit echo listening on 0.0.0.0:50007 (epoll)}, {@code (epoll, TLS jdk)} or
     * {@code (epoll, at most 256 programs at once)}.
     */
    public static final Pattern LISTENING = Pattern.compile(
            "tcpkit (\\w+) listening on (\\S+):(\\d+) \\((io_uring|epoll|nio)(?:, TLS (openssl|jdk))?(?:, [^)]*)?\\)");

    private static final Duration START_UP = Duration.ofSeconds(30);
    private static final Duration OUTPUT = Duration.ofSeconds(20);

    private final String name;
    private final Process process;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final List<String> stderrLines = new CopyOnWriteArrayList<>();
    private final Thread stdoutReader;
    private final Thread stderrReader;
    private final CompletableFuture<Integer> listeningPort = new CompletableFuture<>();

    private TcpkitProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdoutReader = new Thread(this::copyStdout, "process-stdout");
        this.stderrReader = new Thread(this::collectStderr, "process-stderr");
    }

    private TcpkitProcess startReading(boolean readStdout) {
        List<Thread> readers = readStdout ? List.of(stdoutReader, stderrReader) : List.of(stderrReader);
        for (Thread reader : readers) {
            reader.setDaemon(true);
            reader.start();
        }
        return this;
    }

    /** Starts {@code java -jar <tcpkit.jar> args...}; the jar is the one {@code -Dtcpkit.jar} names. */
    public static TcpkitProcess start(String... args) {
        return startCommand("tcpkit " + String.join(" ", args), tcpkit(args), Map.of(), Redirect.PIPE, true);
    }

    /** Starts {@code tcpkit serve SERVICE} on a free port of 127.0.0.1, with {@code options}: see {@link #serveArgs}. */
    public static TcpkitProcess startServe(String service, String... options) {
        return start(serveArgs(service, options));
    }

    /**
     * The arguments of {@code tcpkit serve SERVICE --host 127.0.0.1 --port 0 OPTIONS...}: a server on a free loopback
     * port, as most tests want one (also for running the command line in-process).
     */
    public static String[] serveArgs(String service, String... options) {
        List<String> args = new ArrayList<>(List.of("serve", service, "--host", "127.0.0.1", "--port", "0"));
        args.addAll(List.of(options));
        return args.toArray(String[]::new);
    }

    /** Starts tcpkit as {@link #start} does, with {@code extraEnv} added to its environment. */
    public static TcpkitProcess startWithEnv(Map<String, String> extraEnv, String... args) {
        return startCommand("tcpkit " + String.join(" ", args), tcpkit(args), extraEnv, Redirect.PIPE, true);
    }

    /** Starts tcpkit as {@link #start} does, with its stdout going to {@code file} (such as {@code /dev/full}). */
    public static TcpkitProcess startWithStdoutTo(Path file, String... args) {
        String name = "tcpkit " + String.join(" ", args) + " > " + file;
        return startCommand(name, tcpkit(args), Map.of(), Redirect.to(file.toFile()), true);
    }

    /**
     * Starts tcpkit as {@link #start} does, with its stdout a pipe that nobody reads: a reader that has stalled.
     * {@link #closeStdoutPipe()} then closes the pipe's read end, as a reader that has gone does ({@code | head -c 0}).
     */
    public static TcpkitProcess startWithUnreadStdout(String... args) {
        String name = "tcpkit " + String.join(" ", args) + " | (not read)";
        return startCommand(name, tcpkit(args), Map.of(), Redirect.PIPE, false);
    }

    private static List<String> tcpkit(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A leaked buffer is then reported on stderr, which the tests read line by line.
        command.add("-Dio.netty.leakDetection.level=paranoid");
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Starts any command with the same capture, e.g. a tutorial's Python program.
     *
     * @param name how failure messages call the process
     * @param extraEnv variables added to the environment
     */
    public static TcpkitProcess startCommand(String name, List<String> command, Map<String, String> extraEnv) {
        return startCommand(name, command, extraEnv, Redirect.PIPE, true);
    }

    private static TcpkitProcess startCommand(
            String name, List<String> command, Map<String, String> extraEnv, Redirect stdout, boolean readStdout) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout);
        Map<String, String> env = builder.environment();
        // The JVM decodes arguments and picks its console charset from the locale, as under the ./tcpkit launcher.
        env.put("LC_ALL", "C.UTF-8");
        // These make the JVM print "Picked up ..." on stderr, which tests compare line by line.
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("JDK_JAVA_OPTIONS");
        env.remove("_JAVA_OPTIONS");
        env.putAll(extraEnv);
        try {
            return new TcpkitProcess(name, builder.start()).startReading(readStdout);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private static Path jar() {
        String property = System.getProperty("tcpkit.jar");
        if (property == null) {
            throw new IllegalStateException("-Dtcpkit.jar is not set: run the *IT tests with `mvn verify`");
        }
        Path jar = Path.of(property);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " does not exist: run the *IT tests with `mvn verify`");
        }
        return jar;
    }

    private void copyStdout() {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (stdout) {
                    stdout.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // The process was killed while we read: what arrived is kept.
        }
    }

    private void collectStderr() {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getErrorStream(), UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                stderrLines.add(line);
                Matcher m = LISTENING.matcher(line);
                // find(), not matches(): with --log-format json the line is the "message" of a JSON object.
                if (m.find()) {
                    listeningPort.complete(Integer.parseInt(m.group(3)));
                }
            }
        } catch (IOException e) {
            // As for stdout.
        } finally {
            listeningPort.completeExceptionally(
                    new AssertionError(name + " ended its stderr without a start-up line: " + stderrLines));
        }
    }

    /**
     * Waits (at most 30 s) for the start-up line and returns the port it shows; fails as soon as the process has ended
     * its stderr without one, quoting it.
     */
    public int awaitListening() throws InterruptedException {
        try {
            // Completed by the stderr reader the moment the line arrives: tests may act on it without delay.
            return listeningPort.get(START_UP.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(name + " not listening after " + START_UP + "; stderr: " + stderrLines, e);
        } catch (ExecutionException e) {
            throw (AssertionError) e.getCause();
        }
    }

    /** What the process printed on stdout so far, as bytes. */
    public byte[] stdoutBytes() {
        synchronized (stdout) {
            return stdout.toByteArray();
        }
    }

    /** What the process printed on stdout so far, decoded as UTF-8. */
    public String stdout() {
        return new String(stdoutBytes(), UTF_8);
    }

    /** The complete lines printed on stdout so far, without terminators. */
    public List<String> stdoutLines() {
        String out = stdout();
        int end = out.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(out.substring(0, end).split("\n", -1));
    }

    /** The lines printed on stderr so far. */
    public List<String> stderrLines() {
        return List.copyOf(stderrLines);
    }

    /** Waits (at most 20 s) until a complete stdout line matches {@code condition}; returns it. */
    public String awaitStdoutLine(Predicate<String> condition) {
        return awaitOutput("matching line on stdout", () -> firstMatch(stdoutLines(), condition), Optional::isPresent)
                .orElseThrow();
    }

    /** Waits (at most 20 s) until stdout has at least {@code count} complete lines; returns all of them. */
    public List<String> awaitStdoutLines(int count) {
        return awaitOutput(count + " lines on stdout", this::stdoutLines, lines -> lines.size() >= count);
    }

    /** Waits (at most 20 s) until a stderr line matches {@code condition}; returns it. */
    public String awaitStderrLine(Predicate<String> condition) {
        return awaitOutput("matching line on stderr", () -> firstMatch(stderrLines(), condition), Optional::isPresent)
                .orElseThrow();
    }

    private static Optional<String> firstMatch(List<String> lines, Predicate<String> condition) {
        return lines.stream().filter(condition).findFirst();
    }

    private <T> T awaitOutput(String what, Callable<T> output, Predicate<T> done) {
        try {
            return await().atMost(OUTPUT).pollInterval(Duration.ofMillis(20)).until(output, done);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(
                    "no " + what + " of " + this + " within " + OUTPUT + (process.isAlive() ? "" : " (it exited)")
                            + "\nstdout: " + stdout() + "\nstderr: " + String.join("\n", stderrLines),
                    e);
        }
    }

    /** Writes to the process's stdin and flushes; blocks while the process does not read. */
    public void writeStdin(byte[] bytes) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(bytes);
        in.flush();
    }

    /** Writes {@code text} to stdin in UTF-8 (the process's locale is C.UTF-8). */
    public void writeStdin(String text) throws IOException {
        writeStdin(text.getBytes(UTF_8));
    }

    /** Closes stdin: the process reads end of input. */
    public void closeStdin() throws IOException {
        process.getOutputStream().close();
    }

    /**
     * Closes the read end of the process's stdout pipe (see {@link #startWithUnreadStdout}): its next write to stdout
     * fails with a broken pipe.
     */
    public void closeStdoutPipe() throws IOException {
        process.getInputStream().close();
    }

    /** Sends SIGTERM (what {@code kill PID} and a service manager send); the output is still read to the end. */
    public void terminate() {
        // Not process.destroy(): that also closes our ends of the pipes, losing whatever the process prints next.
        process.toHandle().destroy();
    }

    /**
     * Waits up to {@code timeout} for the process to exit and its output to be read to the end; returns the exit
     * code.
     *
     * @throws AssertionError if it is still running then, quoting its stderr
     */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " still running after " + timeout + "; stderr: " + stderrLines);
        }
        stdoutReader.join(OUTPUT.toMillis());
        stderrReader.join(OUTPUT.toMillis());
        return process.exitValue();
    }

    /** The process's id, e.g. to read {@code /proc/PID/status}. */
    public long pid() {
        return process.pid();
    }

    /** Sends SIGHUP ({@code kill -HUP PID}), as an operator or logrotate does; waits for {@code kill} to return. */
    public void hangUp() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IOException("kill -HUP did not return in 10 s");
        }
        if (kill.exitValue() != 0) {
            throw new IOException("kill -HUP " + process.pid() + " failed: exit " + kill.exitValue());
        }
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Ends the process: SIGTERM, then SIGKILL if it has not exited within 5 s. Idempotent. */
    @Override
    public void close() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // Already closed or the process is gone; either way it reads no more.
        }
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
