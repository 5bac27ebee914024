package dev.tcpkit.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Encodes message records as {@link RecordJson} in UTF-8, each once for every output that takes it ({@code --output}
 * and Kafka): one generator and one buffer for the writer's whole life, since a generator made per record cost more
 * than the rest of the record's way to Kafka. Not thread-safe: the record writer's thread only.
 */
final class RecordJsonEncoder {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final String service;
    private final ByteArrayBuilder buffer = new ByteArrayBuilder(512);
    private final JsonGenerator json;

    RecordJsonEncoder(String service) {
        this.service = service;
        try {
            this.json = FACTORY.createGenerator(buffer);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: does not fail
        }
        this.json.setRootValueSeparator(null);
    }

    /** The record as one JSON object in UTF-8, no line terminator. */
    byte[] encode(MessageRecord record) {
        try {
            RecordJson.write(record, service, json);
            json.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: does not fail
        }
        byte[] bytes = buffer.toByteArray();
        buffer.reset();
        return bytes;
    }
}
