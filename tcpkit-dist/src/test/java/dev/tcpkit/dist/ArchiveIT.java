package dev.tcpkit.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release archive as a user gets it: unpacked into an empty directory and run with Java on {@code PATH} (or
 * {@code JAVA_HOME}) and no Maven anywhere; its shell completion and man pages used by the real bash and man.
 */
@Timeout(180)
class ArchiveIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Pattern LISTENING = Pattern.compile(" listening on 127\\.0\\.0\\.1:(\\d+) ");

    @TempDir
    static Path tmp;

    /** The unpacked tcpkit-VERSION directory. */
    static Path home;
    /** A directory with every program of /usr/bin but Maven and Java. */
    static Path tools;
    /** A directory with only this JDK's java. */
    static Path javaOnly;

    @BeforeAll
    static void unpackTheArchive() throws IOException, InterruptedException {
        Path archive = Path.of(System.getProperty("tcpkit.archive"));
        Result tar =
                run(List.of("tar", "-xzf", archive.toString(), "-C", tmp.toString()), Map.of("PATH", "/usr/bin:/bin"));
        assertThat(tar.exit).as(tar.stderr).isZero();
        home = tmp.resolve("tcpkit-" + System.getProperty("tcpkit.version"));
        tools = Files.createDirectories(tmp.resolve("tools"));
        try (Stream<Path> programs = Files.list(Path.of("/usr/bin"))) {
            for (Path program : (Iterable<Path>) programs::iterator) {
                String name = program.getFileName().toString();
                if (!name.startsWith("mvn") && !name.startsWith("java")) {
                    Files.createSymbolicLink(tools.resolve(name), program);
                }
            }
        }
        javaOnly = Files.createDirectories(tmp.resolve("jdk-on-path"));
        Files.createSymbolicLink(javaOnly.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
    }

    @Test
    void unpacksToTheDocumentedLayout() {
        for (String file : List.of(
                "bin/tcpkit",
                "lib/tcpkit.jar",
                "lib/launch.sh",
                "share/bash-completion/completions/tcpkit",
                "share/zsh/site-functions/_tcpkit",
                "share/man/man1/tcpkit.1",
                "share/man/man1/tcpkit-serve.1",
                "share/man/man1/tcpkit-serve-echo.1",
                "share/man/man1/tcpkit-connect.1",
                "share/man/man1/tcpkit-bench.1",
                "README.md",
                "LICENSE",
                "CHANGELOG.md")) {
            assertThat(home.resolve(file)).as(file).isRegularFile();
        }
        assertThat(home.resolve("bin/tcpkit")).isExecutable();
    }

    @Test
    void printsItsVersionWithJavaOnPathAndNoMaven() throws IOException, InterruptedException {
        assertThat(tools.resolve("mvn")).doesNotExist();

        Result version =
                run(List.of(home.resolve("bin/tcpkit").toString(), "--version"), userEnv(javaOnly + ":" + tools));

        assertThat(version.exit).as(version.stderr).isZero();
        assertThat(version.stdout).startsWith("tcpkit " + System.getProperty("tcpkit.version"));
        // The start-up archive went to the user's cache, not into the installation.
        try (Stream<Path> lib = Files.list(home.resolve("lib"))) {
            assertThat(lib.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("tcpkit.jar", "launch.sh");
        }
        try (Stream<Path> cached = Files.walk(tmp.resolve("cache/tcpkit"))) {
            assertThat(cached.map(p -> p.getFileName().toString()))
                    .anyMatch(name -> name.endsWith(".jsa") || name.endsWith(".aot"));
        }
    }

    @Test
    void echoesALineThroughARealSocketWithJavaFromJavaHome() throws Exception {
        Map<String, String> env = userEnv(tools.toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        Process server = builder(
                        List.of(
                                home.resolve("bin/tcpkit").toString(),
                                "serve",
                                "echo",
                                "--host",
                                "127.0.0.1",
                                "--port",
                                "0"),
                        env,
                        tmp)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        server.getOutputStream().close();
        try {
            int port = awaitPort(server);
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                socket.setSoTimeout((int) WAIT.toMillis());
                OutputStream out = socket.getOutputStream();
                out.write("hello tcpkit\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in =
                        new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                assertThat(in.readLine()).isEqualTo("hello tcpkit");
            }
            // bin/tcpkit execs java: the SIGTERM reaches the JVM, which stops cleanly with 0 (a shell would die of it).
            server.destroy();
            assertThat(server.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(server.exitValue()).isZero();
        } finally {
            server.destroyForcibly();
        }
    }

    @Test
    void runsThroughASymlinkFromAnotherDirectory() throws IOException, InterruptedException {
        Path link = Files.createDirectories(tmp.resolve("usr-local-bin")).resolve("tcpkit");
        Files.createSymbolicLink(link, home.resolve("bin/tcpkit"));
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));

        Result version = run(List.of(link.toString(), "--version"), userEnv(javaOnly + ":" + tools), elsewhere);

        assertThat(version.exit).as(version.stderr).isZero();
        assertThat(version.stdout).startsWith("tcpkit ");
    }

    @Test
    void refusesJavaOlderThan17InOneLine() throws IOException, InterruptedException {
        Path oldJdk = tmp.resolve("jdk-11");
        Path java = Files.createDirectories(oldJdk.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho 'openjdk version \"11.0.21\" 2023-10-17' >&2\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        Map<String, String> env = userEnv(tools.toString());
        env.put("JAVA_HOME", oldJdk.toString());

        Result version = run(List.of(home.resolve("bin/tcpkit").toString(), "--version"), env);

        assertThat(version.exit).isEqualTo(1);
        assertThat(version.stdout).isEmpty();
        assertThat(version.stderr.lines())
                .singleElement(InstanceOfAssertFactories.STRING)
                .contains("Java 17 or newer", "11.0.21");
    }

    /** Records bound for Kafka wait for the broker: that server gets a larger young generation, the others not. */
    @Test
    void givesAKafkaServerALargerYoungGeneration() throws IOException, InterruptedException {
        Path fakeJdk = tmp.resolve("jdk-echo");
        Files.createDirectories(fakeJdk.resolve("bin"));
        Files.writeString(fakeJdk.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
        Path java = fakeJdk.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho \"$*\"\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        Map<String, String> env = userEnv(tools.toString());
        env.put("JAVA_HOME", fakeJdk.toString());
        String tcpkit = home.resolve("bin/tcpkit").toString();

        Result kafka = run(List.of(tcpkit, "serve", "log", "--kafka", "127.0.0.1:9092", "--kafka-topic", "t"), env);
        Result echo = run(List.of(tcpkit, "serve", "echo"), env);

        assertThat(kafka.exit).as(kafka.stderr).isZero();
        assertThat(kafka.stdout).contains("-Xmn16m").contains("-Xmn32m");
        assertThat(kafka.stdout.indexOf("-Xmn32m")).isGreaterThan(kafka.stdout.indexOf("-Xmn16m"));
        assertThat(echo.stdout).contains("-Xmn16m").doesNotContain("-Xmn32m");
    }

    @Test
    void bashCompletionOffersServeForSe() throws IOException, InterruptedException {
        String script = """
                source "$1"
                complete -p tcpkit
                COMP_WORDS=(tcpkit se); COMP_CWORD=1; COMP_LINE='tcpkit se'; COMP_POINT=${#COMP_LINE}
                _complete_tcpkit
                printf 'reply: %s\\n' "${COMPREPLY[@]}"
                """;
        Path completion = home.resolve("share/bash-completion/completions/tcpkit");

        Result bash = run(List.of("bash", "-c", script, "bash", completion.toString()), userEnv(tools.toString()));

        assertThat(bash.exit).as(bash.stderr).isZero();
        assertThat(bash.stdout.lines()).contains("reply: serve").noneMatch(line -> line.startsWith("reply: c"));
        assertThat(bash.stdout).contains("-F _complete_tcpkit");
    }

    @Test
    void manShowsNameAndSynopsisOfEachPage() throws IOException, InterruptedException {
        Map<String, String> env = userEnv(tools.toString());
        env.put("MANPAGER", "cat");
        env.put("MANWIDTH", "100");

        Result top =
                run(List.of("man", "-l", home.resolve("share/man/man1/tcpkit.1").toString()), env);
        // Found through the MANPATH a user sets after unpacking, as README's Install section says.
        env.put("MANPATH", home.resolve("share/man").toString());
        Result serve = run(List.of("man", "tcpkit-serve-echo"), env);

        assertThat(top.exit).as(top.stderr).isZero();
        assertThat(top.stdout).contains("NAME", "SYNOPSIS", "tcpkit - TCP server and client toolkit", "serve");
        assertThat(serve.exit).as(serve.stderr).isZero();
        assertThat(serve.stdout).contains("NAME", "SYNOPSIS", "tcpkit serve echo", "--port");
    }

    /** The port from the server's "listening on" line; stderr goes on being drained so the server never blocks. */
    private static int awaitPort(Process server) throws InterruptedException {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader err = server.errorReader(StandardCharsets.UTF_8)) {
                for (String line = err.readLine(); line != null; line = err.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("stderr: " + e);
            }
        });
        reader.setDaemon(true);
        reader.start();
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String line = lines.poll(100, TimeUnit.MILLISECONDS);
            if (line != null) {
                seen.add(line);
                Matcher listening = LISTENING.matcher(line);
                if (listening.find()) {
                    return Integer.parseInt(listening.group(1));
                }
            } else if (!server.isAlive() && lines.isEmpty()) {
                break;
            }
        }
        throw new AssertionError("no 'listening on' line from bin/tcpkit; its stderr: " + seen);
    }

    private record Result(int exit, String stdout, String stderr) {}

    private static Result run(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        return run(command, env, tmp);
    }

    /** Runs a command to its end, at most {@link #WAIT}, with exactly {@code env} as its environment. */
    private static Result run(List<String> command, Map<String, String> env, Path directory)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile(tmp, "out", ".txt");
        Path err = Files.createTempFile(tmp, "err", ".txt");
        Process process = builder(command, env, directory)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        try {
            assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as("%s ended", command)
                    .isTrue();
        } finally {
            process.destroyForcibly();
        }
        return new Result(
                process.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private static ProcessBuilder builder(List<String> command, Map<String, String> env, Path directory) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        return builder;
    }

    private static Map<String, String> userEnv(String path) {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", path);
        env.put("HOME", tmp.resolve("home").toString());
        env.put("XDG_CACHE_HOME", tmp.resolve("cache").toString());
        return env;
    }
}
