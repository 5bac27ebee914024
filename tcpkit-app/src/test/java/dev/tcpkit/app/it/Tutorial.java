package dev.tcpkit.app.it;

import static org.awaitility.Awaitility.await;

import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The tutorials' own Python programs ({@code src/test/resources/tutorials}), run with {@code python3} and a free port
 * instead of the fixed one each was written for.
 */
final class Tutorial {
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private Tutorial() {}

    /** Starts {@code script} with {@code port} as its argument; a client connects to it, a server listens on it. */
    static TcpkitProcess start(String script, int port) {
        return TcpkitProcess.startCommand(
                script,
                List.of("python3", script(script).toString(), Integer.toString(port)),
                Map.of("PYTHONIOENCODING", "utf-8", "PYTHONUNBUFFERED", "1"));
    }

    /**
     * Starts a tutorial server on a free port and waits (at most 20 s) until it listens. The tutorials print nothing
     * when they are ready, and a probing connection would be served as a client (E1 serves only one), so readiness
     * is read from the kernel's socket table instead.
     */
    static TcpkitProcess startServer(String script, int port) {
        TcpkitProcess server = start(script, port);
        try {
            await(script + " listening on port " + port)
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20))
                    .failFast(script + " exited: " + server.stderrLines(), () -> !server.isAlive())
                    .until(() -> isListening(port));
            return server;
        } catch (RuntimeException | Error e) {
            server.close();
            throw e;
        }
    }

    /** A port nothing listens on right now (the kernel's choice for port 0, released again). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static Path script(String name) {
        URL url = Tutorial.class.getResource("/tutorials/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no tutorial program " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a TCP socket listens on {@code port}, on any address (Linux: {@code /proc/net/tcp} and {@code tcp6}). */
    private static boolean isListening(int port) throws IOException {
        Path tcp = Path.of("/proc/net/tcp");
        if (!Files.exists(tcp)) {
            throw new IllegalStateException("cannot tell when a tutorial server listens: no " + tcp + " (not Linux?)");
        }
        String hexPort = String.format(Locale.ROOT, ":%04X", port);
        for (Path table : List.of(tcp, Path.of("/proc/net/tcp6"))) {
            if (!Files.exists(table)) {
                continue;
            }
            for (String line : Files.readAllLines(table)) {
                String[] fields = WHITESPACE.split(line.trim(), -1);
                // sl local_address rem_address st ...: state 0A is LISTEN
                if (fields.length > 3 && fields[1].endsWith(hexPort) && fields[3].equals("0A")) {
                    return true;
                }
            }
        }
        return false;
    }
}
