package dev.tcpkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcpkit.TcpServer;
import dev.tcpkit.codec.Framing;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.service.chat.ChatService;
import dev.tcpkit.service.message.MessageService;
import dev.tcpkit.sink.SinkBacklog;
import dev.tcpkit.testing.ChatClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Records into a real broker: each once and in order, and acknowledged only once Kafka has them. */
class KafkaSinkTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.shared();
    }

    private static KafkaSink sink(String topic) {
        return sink(topic, new Properties());
    }

    private static KafkaSink sink(String topic, Properties settings) {
        Properties p = new Properties();
        p.putAll(settings);
        p.setProperty("bootstrap.servers", broker.bootstrap());
        return new KafkaSink(p, topic);
    }

    private static String topic() {
        return "t-" + UUID.randomUUID();
    }

    @Test
    void aHundredClientsOfAHundredLinesGiveTenThousandRecordsEachOnceInOrder() throws Exception {
        String topic = topic();
        MessageService service = MessageService.log()
                .framing(Framing.LINE)
                .stdout(java.io.Writer.nullWriter())
                .sink(sink(topic))
                .build();
        TcpServer server =
                TcpServer.builder().bind("127.0.0.1", 0).service(service).start();
        try {
            List<Socket> clients = new ArrayList<>();
            for (int c = 0; c < 100; c++) {
                clients.add(new Socket(InetAddress.getLoopbackAddress(), server.port()));
            }
            for (int c = 0; c < 100; c++) {
                StringBuilder lines = new StringBuilder();
                for (int i = 0; i < 100; i++) {
                    lines.append(c).append(' ').append(i).append('\n');
                }
                clients.get(c).getOutputStream().write(lines.toString().getBytes(StandardCharsets.UTF_8));
            }
            for (Socket s : clients) {
                s.shutdownOutput();
            }
            List<ConsumerRecord<String, String>> records = consume(topic, 10_000, Duration.ofSeconds(90));
            assertThat(records).hasSize(10_000);
            Map<String, List<Integer>> byClient = new HashMap<>();
            for (ConsumerRecord<String, String> r : records) {
                JsonNode json = JSON.readTree(r.value());
                assertThat(json.get("v").asInt()).isEqualTo(1);
                assertThat(json.get("client").asText()).isEqualTo(r.key());
                String text = json.get("text").asText();
                byClient.computeIfAbsent(r.key(), k -> new ArrayList<>())
                        .add(Integer.parseInt(text.substring(text.indexOf(' ') + 1)));
            }
            assertThat(byClient).hasSize(100);
            List<Integer> inOrder = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                inOrder.add(i);
            }
            byClient.values().forEach(lines -> assertThat(lines).isEqualTo(inOrder));
            for (Socket s : clients) {
                s.close();
            }
        } finally {
            server.close();
        }
        assertThat(service.lostRecords()).isZero();
    }

    /**
     * One outage, two servers: a reply server's client gets no reply while the broker is away and gets it once it is
     * back; a log server's client that keeps sending is stopped (reads paused: what it could send stops growing,
     * far short of all it has) and goes on once the broker is back. Every line is in the topic once, in order.
     */
    @Test
    void anOutageIsBackpressureNotLossAndNothingIsDuplicated() throws Exception {
        String topic = topic();
        String floodTopic = topic();
        MessageService service = MessageService.reply()
                .framing(Framing.LINE)
                .keepOpen(true)
                .reply("ok\n")
                .stdout(java.io.Writer.nullWriter())
                .sink(sink(topic))
                .build();
        MessageService flood = MessageService.log()
                .framing(Framing.LINE)
                .stdout(java.io.Writer.nullWriter())
                .sink(sink(floodTopic))
                .build();
        TcpServer server =
                TcpServer.builder().bind("127.0.0.1", 0).service(service).start();
        TcpServer floodServer =
                TcpServer.builder().bind("127.0.0.1", 0).service(flood).start();
        Flood sender = null;
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port());
                Socket flooder = new Socket(InetAddress.getLoopbackAddress(), floodServer.port())) {
            client.setSoTimeout(30_000);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = client.getOutputStream();
            out.write("first\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("ok");
            // Answered: the record is already readable by a consumer.
            assertThat(consume(topic, 1, Duration.ofSeconds(10))).hasSize(1);

            // The flood's topic exists before the outage: its records then wait in the producer, not for metadata.
            flooder.getOutputStream().write(Flood.line(-1));
            assertThat(consume(floodTopic, 1, Duration.ofSeconds(10))).hasSize(1);

            broker.stop();
            sender = new Flood(flooder);
            sender.start();
            long stalledAt = sender.awaitStall(Duration.ofSeconds(20), Duration.ofSeconds(2));
            assertThat(stalledAt)
                    .as("bytes the client could send while Kafka was down")
                    .isLessThan(Flood.TOTAL / 2);
            SinkBacklog floodSink = java.util.Objects.requireNonNull(flood.sinkBacklog());
            assertThat(floodSink.inFlight()).as("backlog").isPositive();
            assertThat(floodSink.oldestAgeMillis()).as("oldest age").isPositive();

            out.write("during the outage\n".getBytes(StandardCharsets.UTF_8));
            client.setSoTimeout(3_000);
            boolean answered;
            try {
                answered = in.readLine() != null;
            } catch (SocketTimeoutException e) {
                answered = false;
            }
            assertThat(answered).as("answered while Kafka was down").isFalse();

            broker.start();
            client.setSoTimeout(60_000);
            assertThat(in.readLine()).as("the answer once Kafka is back").isEqualTo("ok");
            List<ConsumerRecord<String, String>> records = consume(topic, 2, Duration.ofSeconds(20));
            assertThat(records)
                    .extracting(r -> JSON.readTree(r.value()).get("text").asText())
                    .containsExactly("first", "during the outage");

            sender.join(60_000);
            assertThat(sender.sent()).as("all sent once Kafka is back").isEqualTo(Flood.TOTAL);
            flooder.shutdownOutput();
            List<ConsumerRecord<String, String>> flooded = consume(floodTopic, Flood.LINES + 1, Duration.ofSeconds(90));
            List<Integer> numbers = new ArrayList<>();
            for (ConsumerRecord<String, String> r : flooded) {
                String text = JSON.readTree(r.value()).get("text").asText();
                numbers.add(Integer.parseInt(text.substring(0, text.indexOf(' '))));
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = -1; i < Flood.LINES; i++) {
                expected.add(i);
            }
            assertThat(numbers).as("each line once, in order").isEqualTo(expected);
        } finally {
            if (sender != null) {
                sender.interrupt();
            }
            server.close();
            floodServer.close();
        }
        assertThat(service.lostRecords() + flood.lostRecords()).isZero();
    }

    /**
     * The producer's buffer full while Kafka is away: the producer refuses the record after {@code max.block.ms},
     * and the sink waits and tries again instead of failing it; once Kafka is back every record is there once, in
     * order. Random text so that lz4 cannot squeeze 400 KB into the 64 KiB buffer.
     */
    @Test
    void aFullProducerBufferMakesSendWaitAndLosesNothing() throws Exception {
        String topic = topic();
        Properties small = new Properties();
        small.setProperty("buffer.memory", "65536");
        small.setProperty("batch.size", "16384");
        KafkaSink sink = sink(topic, small);
        int count = 400;
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch delivered = new java.util.concurrent.CountDownLatch(count + 1);
        java.util.function.Consumer<Throwable> done = error -> {
            if (error != null) {
                errors.add(error);
            }
            delivered.countDown();
        };
        java.util.concurrent.atomic.AtomicInteger handed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.Random random = new java.util.Random(16);
        Thread sender = new Thread(() -> {
            for (int i = 0; i < count; i++) {
                byte[] pad = new byte[750];
                random.nextBytes(pad);
                String text = i + " " + java.util.Base64.getEncoder().encodeToString(pad);
                sink.send("k", ("{\"text\":\"" + text + "\"}").getBytes(StandardCharsets.UTF_8), done);
                handed.incrementAndGet();
            }
        });
        try {
            sink.send("k", "{\"text\":\"-1 first\"}".getBytes(StandardCharsets.UTF_8), done);
            assertThat(consume(topic, 1, Duration.ofSeconds(10))).hasSize(1);

            broker.stop();
            sender.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int before;
            do {
                before = handed.get();
                Thread.sleep(1_000);
            } while (handed.get() != before && System.nanoTime() < deadline);
            assertThat(handed.get())
                    .as("records the full buffer took while Kafka was down")
                    .isLessThan(count);
            assertThat(sender.isAlive()).as("send waits").isTrue();
            assertThat(errors).isEmpty();

            broker.start();
            assertThat(delivered.await(90, java.util.concurrent.TimeUnit.SECONDS))
                    .isTrue();
            sender.join(10_000);
            assertThat(errors).isEmpty();
            List<Integer> numbers = new ArrayList<>();
            for (ConsumerRecord<String, String> r : consume(topic, count + 1, Duration.ofSeconds(90))) {
                String text = JSON.readTree(r.value()).get("text").asText();
                numbers.add(Integer.parseInt(text.substring(0, text.indexOf(' '))));
            }
            List<Integer> expected = new ArrayList<>();
            for (int i = -1; i < count; i++) {
                expected.add(i);
            }
            assertThat(numbers).as("each record once, in order").isEqualTo(expected);
        } finally {
            sender.interrupt();
            sink.close(Duration.ofSeconds(5));
        }
    }

    /** A record Kafka refuses for good (too large) cuts its connection with that reason; the records before it stay. */
    @Test
    void aRecordRejectedForGoodCutsItsConnection() throws Exception {
        String topic = topic();
        Properties small = new Properties();
        small.setProperty("max.request.size", "600");
        MessageService service = MessageService.log()
                .framing(Framing.LINE)
                .stdout(java.io.Writer.nullWriter())
                .sink(sink(topic, small))
                .build();
        TcpServer server =
                TcpServer.builder().bind("127.0.0.1", 0).service(service).start();
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            client.setSoTimeout(20_000);
            OutputStream out = client.getOutputStream();
            out.write("small\n".getBytes(StandardCharsets.UTF_8));
            assertThat(consume(topic, 1, Duration.ofSeconds(10))).hasSize(1);
            out.write(("x".repeat(2_000) + "\n").getBytes(StandardCharsets.UTF_8));
            assertThat(client.getInputStream().read()).as("cut by the server").isEqualTo(-1);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (server.connections().closed(CloseReason.RECORD_REJECTED) == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(server.connections().closed(CloseReason.RECORD_REJECTED)).isEqualTo(1);
        } finally {
            server.close();
        }
        assertThat(consume(topic, 2, Duration.ofSeconds(2)))
                .extracting(r -> JSON.readTree(r.value()).get("text").asText())
                .containsExactly("small");
    }

    /** Each chat line is recorded once, by the server its sender is on, not once per client it is relayed to. */
    @Test
    void chatRecordsEachLineOnce() throws Exception {
        String topic = topic();
        ChatService service = ChatService.builder()
                .stdout(java.io.Writer.nullWriter())
                .sink(sink(topic))
                .build();
        TcpServer server =
                TcpServer.builder().bind("127.0.0.1", 0).service(service).start();
        try (ChatClient alice = ChatClient.connect(server.port(), StandardCharsets.UTF_8);
                ChatClient bob = ChatClient.connect(server.port(), StandardCharsets.UTF_8);
                ChatClient carol = ChatClient.connect(server.port(), StandardCharsets.UTF_8)) {
            alice.say("hello from alice");
            assertThat(lineEndingWith(bob, "hello from alice")).startsWith("<" + alice.name() + ">");
            assertThat(lineEndingWith(carol, "hello from alice")).startsWith("<" + alice.name() + ">");
            bob.say("hello from bob");
            assertThat(lineEndingWith(alice, "hello from bob")).startsWith("<" + bob.name() + ">");
        } finally {
            server.close();
        }
        List<ConsumerRecord<String, String>> records = consume(topic, 2, Duration.ofSeconds(10));
        assertThat(records)
                .extracting(r -> JSON.readTree(r.value()).get("text").asText())
                .containsExactlyInAnyOrder("hello from alice", "hello from bob");
        assertThat(records)
                .extracting(r -> JSON.readTree(r.value()).get("name").asText())
                .doesNotContainNull();
    }

    /** A chat line is relayed at once, Kafka or not: its relay is no acknowledgement (here no broker ever answers). */
    @Test
    void chatRelaysWithoutWaitingForKafka() throws Exception {
        Properties unreachable = new Properties();
        unreachable.setProperty("bootstrap.servers", "127.0.0.1:" + KafkaBroker.freePort());
        ChatService service = ChatService.builder()
                .stdout(java.io.Writer.nullWriter())
                .sink(new KafkaSink(unreachable, topic()))
                .build();
        TcpServer server = TcpServer.builder()
                .bind("127.0.0.1", 0)
                .drainTimeout(Duration.ofSeconds(1))
                .service(service)
                .start();
        try (ChatClient alice = ChatClient.connect(server.port(), StandardCharsets.UTF_8);
                ChatClient bob = ChatClient.connect(server.port(), StandardCharsets.UTF_8)) {
            bob.socket().setSoTimeout(5_000);
            alice.say("relayed anyway");
            assertThat(lineEndingWith(bob, "relayed anyway")).startsWith("<" + alice.name() + ">");
            assertThat(service.sinkBacklog().inFlight())
                    .as("still waiting for Kafka")
                    .isOne();
        } finally {
            server.close();
        }
        assertThat(service.lostRecords()).as("never delivered: counted").isOne();
    }

    /** Reads lines until one ends with {@code text} (bounded by the client's read timeout). */
    private static String lineEndingWith(ChatClient client, String text) throws IOException {
        for (int i = 0; i < 10; i++) {
            String line = client.readLine();
            if (line.endsWith(text)) {
                return line;
            }
        }
        throw new AssertionError("no line ending with " + text);
    }

    /** A client that sends {@link #LINES} numbered lines of about 1 KB as fast as the server takes them. */
    private static final class Flood extends Thread {
        static final int LINES = 30_000;
        static final long TOTAL = (long) LINES * line(0).length;

        private final Socket socket;
        private final AtomicLong sent = new AtomicLong();

        Flood(Socket socket) {
            super("flood");
            this.socket = socket;
            setDaemon(true);
        }

        /** Line {@code n}: its number, then padding to 1,000 bytes with the newline. */
        static byte[] line(int n) {
            String head = String.format(Locale.ROOT, "%06d ", n);
            return (head + "y".repeat(999 - head.length()) + "\n").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void run() {
            try {
                OutputStream out = socket.getOutputStream();
                for (int i = 0; i < LINES; i++) {
                    byte[] line = line(i);
                    out.write(line);
                    sent.addAndGet(line.length);
                }
            } catch (IOException e) {
                // The test ended: the socket was closed under it.
            }
        }

        long sent() {
            return sent.get();
        }

        /** Waits until what was sent has not grown for {@code still}; returns it, or fails after {@code timeout}. */
        long awaitStall(Duration timeout, Duration still) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            long last = -1;
            long since = System.nanoTime();
            while (System.nanoTime() < deadline) {
                long now = sent();
                if (now != last) {
                    last = now;
                    since = System.nanoTime();
                } else if (System.nanoTime() - since >= still.toNanos()) {
                    return now;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("the client never stalled: " + sent() + " bytes sent");
        }
    }

    /** Reads the topic from the start until {@code count} records, or a little longer to see any extra. */
    private static List<ConsumerRecord<String, String>> consume(String topic, int count, Duration timeout) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.setProperty(ConsumerConfig.GROUP_ID_CONFIG, "g-" + UUID.randomUUID());
        p.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // A little longer: a duplicate would show up here.
            consumer.poll(Duration.ofMillis(500)).forEach(records::add);
        }
        return records;
    }
}
