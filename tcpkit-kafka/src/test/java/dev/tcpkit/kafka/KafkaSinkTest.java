package dev.tcpkit.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tcpkit.TcpServer;
import dev.tcpkit.codec.Framing;
import dev.tcpkit.service.message.MessageService;
import java.io.BufferedReader;
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
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
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
        Properties p = new Properties();
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
            List<ConsumerRecord<String, String>> records = consume(topic, 10_000, Duration.ofSeconds(40));
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

    @Test
    void aReplyWaitsForKafkaThroughAnOutageAndNothingIsDuplicated() throws Exception {
        String topic = topic();
        MessageService service = MessageService.reply()
                .framing(Framing.LINE)
                .keepOpen(true)
                .reply("ok\n")
                .stdout(java.io.Writer.nullWriter())
                .sink(sink(topic))
                .build();
        TcpServer server =
                TcpServer.builder().bind("127.0.0.1", 0).service(service).start();
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            client.setSoTimeout(30_000);
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = client.getOutputStream();
            out.write("first\n".getBytes(StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("ok");
            // Answered: the record is already readable by a consumer.
            assertThat(consume(topic, 1, Duration.ofSeconds(10))).hasSize(1);

            broker.stop();
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
        } finally {
            server.close();
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
