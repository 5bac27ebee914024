package dev.tcpkit.kafka;

import dev.tcpkit.sink.RecordSink;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records into a Kafka topic: one idempotent producer for the whole server, {@code acks=all}, each record keyed by
 * its client's {@code address:port} so that one connection's records stay in order in one partition.
 *
 * <p>Kafka away is backpressure, not failure: {@code delivery.timeout.ms} is as long as it goes, so a record waits
 * for the broker instead of failing; when the producer's buffer is full, {@link #send} waits (on the sink's own
 * thread, never an event loop) in steps of {@code max.block.ms}, so nothing more is acknowledged and every
 * connection with records in flight pauses its reads. Only a record Kafka refuses for good (not authorized, too
 * large) fails.
 */
public final class KafkaSink implements RecordSink {
    private static final Logger log = LoggerFactory.getLogger(KafkaSink.class);

    /** What tcpkit sets unless {@code --kafka-property} says otherwise. */
    private static final Map<String, String> DEFAULTS = Map.of(
            ProducerConfig.ACKS_CONFIG, "all",
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
            // lz4 over zstd: measured faster here for the same small JSON records (docs/PERFORMANCE.md).
            ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4",
            ProducerConfig.LINGER_MS_CONFIG, "5",
            // 64 KiB batches, not 16: the lz4 stream allocates 128 KiB for every batch, a quarter of the garbage at
            // full rate (docs/PERFORMANCE.md).
            ProducerConfig.BATCH_SIZE_CONFIG, "65536",
            // An outage is backpressure: a record never expires while the broker is away.
            ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(Integer.MAX_VALUE),
            // send() waits at most this long for buffer space or metadata, then is tried again (see send).
            ProducerConfig.MAX_BLOCK_MS_CONFIG, "200");

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private volatile boolean closing;
    /** Each sender thread's last group and its callback (see callbackFor). */
    private final ThreadLocal<LastCallback> lastCallback = ThreadLocal.withInitial(LastCallback::new);

    /**
     * Starts the producer.
     *
     * @param properties the producer's settings: {@code bootstrap.servers} and whatever else was given; tcpkit's
     *     defaults fill the rest
     * @param topic where every record goes
     */
    public KafkaSink(Properties properties, String topic) {
        Properties config = new Properties();
        config.putAll(DEFAULTS);
        config.putAll(properties);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
    }

    @Override
    public String name() {
        return "Kafka topic " + topic;
    }

    /**
     * Two threads: the producer appends to each partition under that partition's lock, so two senders append side by
     * side (docs/PERFORMANCE.md); one on a single core.
     */
    @Override
    public int senders() {
        return Math.min(2, Runtime.getRuntime().availableProcessors());
    }

    @Override
    public void send(String key, byte[] json, Consumer<@Nullable Throwable> done) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, json);
        Callback callback = callbackFor(done);
        while (true) {
            if (closing) {
                return; // the producer is closed or closing: stays in flight, counted as undelivered
            }
            Future<RecordMetadata> sent;
            try {
                sent = producer.send(record, callback);
            } catch (KafkaException e) {
                completed(e, done);
                return;
            } catch (IllegalStateException closedMeanwhile) {
                return; // closed between the check and the send: undelivered, as above
            }
            if (!refusedForNow(sent)) {
                return;
            }
            // The buffer is full or the broker not reached yet: try again, the writer's queue backs up meanwhile.
        }
    }

    /**
     * One callback for all the records of a group (they share {@code done}): a record's callback lives until the
     * broker acknowledges it, and an object per record was that much more to copy at every young collection.
     */
    private Callback callbackFor(Consumer<@Nullable Throwable> done) {
        LastCallback last = lastCallback.get();
        if (done != last.done || last.callback == null) {
            last.done = done;
            last.callback = (metadata, error) -> completed(error, done);
        }
        return last.callback;
    }

    private static final class LastCallback {
        private @Nullable Consumer<@Nullable Throwable> done;
        private @Nullable Callback callback;
    }

    /**
     * Whether the producer could not take the record (no buffer space or metadata within {@code max.block.ms}): it
     * then fails the send at once, its callback already told (and ignoring it, as retriable); not the record's fate.
     */
    private static boolean refusedForNow(Future<RecordMetadata> sent) {
        if (!sent.isDone()) {
            return false;
        }
        try {
            sent.get();
            return false;
        } catch (ExecutionException e) {
            return e.getCause() instanceof org.apache.kafka.common.errors.TimeoutException;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void completed(@Nullable Exception error, Consumer<@Nullable Throwable> done) {
        if (error == null) {
            done.accept(null);
            return;
        }
        if (closing || error instanceof RetriableException) {
            return; // given up on at close: stays in flight, counted as undelivered
        }
        // Said in one line, with the client, as its connection is cut (PendingRecords), and counted as that reason.
        done.accept(error);
    }

    /** The producer's own metrics (record send rate, batch size, request latency, buffer available, ...). */
    @Override
    public void bindMeters(MeterRegistry registry) {
        new KafkaClientMetrics(producer).bindTo(registry);
    }

    @Override
    public void close(Duration timeout) {
        closing = true;
        try {
            producer.close(timeout);
        } catch (KafkaException e) {
            log.warn("closing the Kafka producer: {}", e.getMessage());
        }
    }
}
