package dev.tcpkit.app.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tcpkit.testing.ChatClient;
import dev.tcpkit.testing.TcpkitProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tcpkit serve chat --redis}: several instances on one real {@code redis-server} (started once for the class,
 * on a free port, with a password) are one room.
 */
@Timeout(120)
final class RedisChatProcessIT {
    private static final String PASSWORD = "S3cret-pw-42";
    private static final Duration EXIT = Duration.ofSeconds(20);
    private static final Pattern RELAYED = Pattern.compile("<(\\S+)> (\\d+)");

    @TempDir
    static Path dir;

    private static Process redis;
    private static int redisPort;

    @BeforeAll
    static void startRedis() throws Exception {
        redisPort = freePort();
        redis = startRedis(redisPort, "--requirepass", PASSWORD);
    }

    @AfterAll
    static void stopRedis() throws InterruptedException {
        stop(redis);
    }

    /** 30 clients over 3 instances, each saying 20 lines: every line reaches the 29 others once, in order. */
    @Test
    void threeInstancesAreOneRoomNamesAreUniqueAndWhoListsEveryone() throws Exception {
        String room = "one";
        List<TcpkitProcess> servers = new ArrayList<>();
        List<ChatClient> clients = new ArrayList<>();
        ExecutorService readers = Executors.newCachedThreadPool();
        try {
            for (String name : List.of("inst-a", "inst-b", "inst-c")) {
                servers.add(serve(room, name, true));
            }
            List<Integer> ports = new ArrayList<>();
            for (TcpkitProcess server : servers) {
                ports.add(server.awaitListening());
            }
            for (int i = 0; i < 30; i++) {
                clients.add(ChatClient.connect(ports.get(i % 3), UTF_8));
            }
            assertThat(clients.stream().map(ChatClient::name).distinct()).hasSize(30);

            List<Future<Map<String, List<Integer>>>> heard = new ArrayList<>();
            for (ChatClient client : clients) {
                heard.add(readers.submit(() -> hear(client, 29 * 20)));
            }
            List<Future<?>> said = new ArrayList<>();
            for (ChatClient client : clients) {
                said.add(readers.submit(() -> {
                    for (int n = 0; n < 20; n++) {
                        client.say(Integer.toString(n));
                    }
                    return null;
                }));
            }
            for (Future<?> sender : said) {
                sender.get(40, TimeUnit.SECONDS);
            }
            List<Integer> inOrder =
                    java.util.stream.IntStream.range(0, 20).boxed().toList();
            for (int i = 0; i < 30; i++) {
                Map<String, List<Integer>> bySender = heard.get(i).get(40, TimeUnit.SECONDS);
                assertThat(bySender)
                        .hasSize(29)
                        .doesNotContainKey(clients.get(i).name());
                assertThat(bySender.values())
                        .allSatisfy(lines -> assertThat(lines).isEqualTo(inOrder));
            }

            // /who on one instance lists all 30, each with its instance.
            ChatClient asker = clients.get(0);
            asker.say("/who");
            asker.awaitLine("*** 30 online:"::equals);
            List<String> who = asker.readLines(30);
            assertThat(who).filteredOn(l -> l.contains(" on inst-a ")).hasSize(10);
            assertThat(who).filteredOn(l -> l.contains(" on inst-b ")).hasSize(10);
            assertThat(who).filteredOn(l -> l.contains(" on inst-c ")).hasSize(10);
            assertThat(who)
                    .anySatisfy(l -> assertThat(l)
                            .isEqualTo("***   " + clients.get(1).name() + " "
                                    + clients.get(1).address() + " on inst-b " + l.substring(l.lastIndexOf(' ') + 1)));

            // A name held on another instance is refused; a free one is taken everywhere.
            asker.say("/nick " + clients.get(1).name().toUpperCase(java.util.Locale.ROOT));
            asker.awaitLine(l ->
                    l.equals("*** the name " + clients.get(1).name().toUpperCase(java.util.Locale.ROOT) + " is taken"));
            asker.say("/nick alice");
            clients.get(2).awaitLine(("*** " + asker.name() + " is now alice")::equals);
            clients.get(1).say("/nick Alice");
            clients.get(1).awaitLine("*** the name Alice is taken"::equals);

            for (TcpkitProcess server : servers) {
                assertThat(String.join("\n", server.stderrLines()) + server.stdout())
                        .doesNotContain(PASSWORD);
            }
            assertThat(String.join("\n", who)).doesNotContain(PASSWORD);
        } finally {
            readers.shutdownNow();
            for (ChatClient client : clients) {
                client.close();
            }
            for (TcpkitProcess server : servers) {
                server.close();
            }
        }
    }

    /** kill -9 of an instance: its members are announced gone on the others within 15 s. */
    @Test
    void theMembersOfAKilledInstanceAreAnnouncedGoneWithin15Seconds() throws Exception {
        try (TcpkitProcess a = serve("killed", "a", false);
                TcpkitProcess b = serve("killed", "b", false)) {
            ChatClient onA = ChatClient.connect(a.awaitListening(), UTF_8);
            ChatClient onB = ChatClient.connect(b.awaitListening(), UTF_8);
            onA.awaitLine(("*** " + onB.name() + " joined from " + onB.address())::equals);
            new ProcessBuilder("kill", "-9", Long.toString(b.pid())).start().waitFor();
            long start = System.nanoTime();
            onA.awaitLine(("*** " + onB.name() + " left")::equals);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
            onA.say("/who");
            onA.awaitLine("*** 1 online:"::equals);
            onA.close();
            onB.close();

            // A graceful stop closes the link without calling it lost.
            a.terminate();
            assertThat(a.awaitExit(EXIT)).isZero();
            assertThat(a.stderrLines()).noneMatch(l -> l.contains("cluster link lost"));
        }
    }

    /** Redis stops: the room goes on locally and says so; Redis back: restored, and lines cross again. */
    @Test
    void whenRedisGoesAndComesBackEveryClientIsToldAndTheRoomGoesOn() throws Exception {
        int port = freePort();
        // Its data kept across the restart (SAVE before the stop), as a Redis that persists or only lost the network.
        String[] keep = {"--dir", Files.createTempDirectory(dir, "redis").toString()};
        Process own = startRedis(port, keep);
        String uri = "redis://127.0.0.1:" + port;
        try (TcpkitProcess a = TcpkitProcess.start(serveArgs(uri, "lost", "a"));
                TcpkitProcess b = TcpkitProcess.start(serveArgs(uri, "lost", "b"))) {
            int aPort = a.awaitListening();
            ChatClient onA = ChatClient.connect(aPort, UTF_8);
            ChatClient onA2 = ChatClient.connect(aPort, UTF_8);
            ChatClient onB = ChatClient.connect(b.awaitListening(), UTF_8);
            onA.awaitLine(l -> l.startsWith("*** " + onB.name() + " joined"));

            save(port);
            stop(own);
            onA.awaitLine("*** cluster link lost"::equals);
            onB.awaitLine("*** cluster link lost"::equals);
            onA.say("local only");
            onA2.awaitLine(("<" + onA.name() + "> local only")::equals);
            // Leaves while the link is down: the others hear it once the link is back, and its name is free again.
            onA2.close();
            onA.awaitLine(("*** " + onA2.name() + " left")::equals);

            own = startRedis(port, keep);
            onA.awaitLine("*** cluster link restored"::equals);
            onB.awaitLine("*** cluster link restored"::equals);
            // Not its left notice: b may still be resubscribing when a says it (not promised, see RELIABILITY.md).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            String online;
            do {
                Thread.sleep(100);
                onB.say("/who");
                online = onB.awaitLine(l -> l.matches("\\*\\*\\* \\d+ online:"));
            } while (!online.equals("*** 2 online:") && System.nanoTime() < deadline);
            assertThat(online)
                    .as("the member that left while Redis was away is no longer listed")
                    .isEqualTo("*** 2 online:");
            onA.say("again");
            assertThat(onB.awaitLine(l -> l.startsWith("<"))).isEqualTo("<" + onA.name() + "> again");
            onA.close();
            onA2.close();
            onB.close();
        } finally {
            stop(own);
        }
    }

    /** Redis not there at start, or not answering: one line, exit 1, within --connect-timeout. */
    @Test
    void anUnreachableRedisFailsTheStartInOneLine() throws Exception {
        int refusing = freePort();
        assertFailsToStart("redis://user:" + PASSWORD + "@127.0.0.1:" + refusing, "127.0.0.1:" + refusing);
        // Accepts (the kernel does) and never answers: the connect-timeout is what ends it.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = silent.getLocalPort();
            assertFailsToStart("redis://:" + PASSWORD + "@127.0.0.1:" + port, "127.0.0.1:" + port);
        }
    }

    private static void assertFailsToStart(String uri, String where) throws Exception {
        long start = System.nanoTime();
        try (TcpkitProcess server = TcpkitProcess.start(serveArgs(uri, "none", "x", "--connect-timeout", "2s"))) {
            assertThat(server.awaitExit(EXIT)).isEqualTo(1);
            assertThat(server.stderrLines())
                    .singleElement()
                    .satisfies(l -> assertThat(l).startsWith("cannot use Redis at " + where + ": "))
                    .satisfies(l -> assertThat(l).doesNotContain(PASSWORD));
            assertThat(server.stdout()).isEmpty();
        }
        // The JVM's start, plus at most the 2 s.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    }

    private static Map<String, List<Integer>> hear(ChatClient client, int lines) throws IOException {
        Map<String, List<Integer>> bySender = new HashMap<>();
        int got = 0;
        while (got < lines) {
            Matcher m = RELAYED.matcher(client.readLine());
            if (m.matches()) {
                bySender.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(Integer.parseInt(m.group(2)));
                got++;
            }
        }
        return bySender;
    }

    /** An instance on the class's Redis; the password from the URI or from TCPKIT_REDIS_PASSWORD. */
    private static TcpkitProcess serve(String room, String instance, boolean passwordInUri) {
        String host = "127.0.0.1:" + redisPort;
        if (passwordInUri) {
            return TcpkitProcess.start(serveArgs("redis://default:" + PASSWORD + "@" + host, room, instance));
        }
        return TcpkitProcess.startWithEnv(
                Map.of("TCPKIT_REDIS_PASSWORD", PASSWORD), serveArgs("redis://" + host, room, instance));
    }

    private static String[] serveArgs(String uri, String room, String instance, String... more) {
        List<String> args = new ArrayList<>(List.of("--redis", uri, "--room", room, "--instance-name", instance));
        args.addAll(List.of(more));
        return TcpkitProcess.serveArgs("chat", args.toArray(String[]::new));
    }

    private static Process startRedis(int port, String... more) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no"));
        command.addAll(List.of(more));
        Path log = Files.createTempFile(dir, "redis", ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
                return process;
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IllegalStateException("redis-server did not start: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
        }
    }

    /** Has the Redis on {@code port} write its data to its --dir, to be loaded when it starts again. */
    private static void save(int port) throws IOException {
        try (Socket redis = new Socket(InetAddress.getLoopbackAddress(), port)) {
            redis.setSoTimeout(10_000);
            redis.getOutputStream().write("*1\r\n$4\r\nSAVE\r\n".getBytes(UTF_8));
            byte[] reply = redis.getInputStream().readNBytes(5);
            assertThat(new String(reply, UTF_8)).isEqualTo("+OK\r\n");
        }
    }

    /** Stops redis-server by its PID (SIGTERM, then SIGKILL). */
    private static void stop(Process process) throws InterruptedException {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
