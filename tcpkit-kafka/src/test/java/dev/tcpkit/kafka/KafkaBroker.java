package dev.tcpkit.kafka;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node KRaft broker, run from the test class path's {@code kafka_2.13} jar as a child JVM on free
 * loopback ports, its data in a temporary directory. Started once for every Kafka test ({@link #shared()}); it can be
 * stopped and started again on the same ports and data, for an outage.
 */
final class KafkaBroker {
    private static KafkaBroker shared;

    private final Path dir;
    private final Path config;
    private final int port;
    private Process process;

    private KafkaBroker() throws IOException, InterruptedException {
        dir = Files.createTempDirectory("tcpkit-kafka");
        port = freePort();
        int controller = freePort();
        config = dir.resolve("server.properties");
        Files.writeString(
                config,
                String.join(
                        "\n",
                        "process.roles=broker,controller",
                        "node.id=1",
                        "controller.quorum.voters=1@127.0.0.1:" + controller,
                        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                        "controller.listener.names=CONTROLLER",
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "log.dirs=" + dir.resolve("data"),
                        "num.partitions=4",
                        "offsets.topic.replication.factor=1",
                        "transaction.state.log.replication.factor=1",
                        "transaction.state.log.min.isr=1",
                        "group.initial.rebalance.delay.ms=0",
                        "share.coordinator.state.topic.replication.factor=1",
                        "share.coordinator.state.topic.min.isr=1",
                        ""));
        Process format = java(
                        "kafka.tools.StorageTool",
                        "format",
                        "-t",
                        org.apache.kafka.common.Uuid.randomUuid().toString(),
                        "-c",
                        config.toString())
                .redirectOutput(dir.resolve("format.log").toFile())
                .redirectErrorStream(true)
                .start();
        if (!format.waitFor(60, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IOException("kafka storage format failed: " + Files.readString(dir.resolve("format.log")));
        }
        start();
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
    }

    /** The broker every Kafka test shares, started on first use. */
    static synchronized KafkaBroker shared() throws IOException, InterruptedException {
        if (shared == null) {
            shared = new KafkaBroker();
        }
        return shared;
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Starts the broker (again) and waits until it takes connections. */
    synchronized void start() throws IOException, InterruptedException {
        process = java("-Xmx384m", "kafka.Kafka", config.toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        dir.resolve("broker.log").toFile()))
                .redirectErrorStream(true)
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("the broker exited: see " + dir.resolve("broker.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new IOException("the broker did not start in 60 s: see " + dir.resolve("broker.log"));
    }

    /** Stops the broker by its PID and waits for it to be gone. */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private static ProcessBuilder java(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(classPath());
        if (!args[0].startsWith("-")) {
            command.add("-Xmx256m");
        }
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    /** The test's class and module path: kafka_2.13 and its dependencies are on one of them. */
    private static String classPath() {
        String cp = System.getProperty("java.class.path", "");
        String mp = System.getProperty("jdk.module.path", "");
        return mp.isEmpty() ? cp : cp + File.pathSeparator + mp;
    }

    /** A free loopback port (also where no broker is: an unreachable Kafka). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
