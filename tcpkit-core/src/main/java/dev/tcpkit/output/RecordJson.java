package dev.tcpkit.output;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * A message record as JSON, the one form {@code --output} and a {@link dev.tcpkit.sink.RecordSink} (Kafka) share: the contract
 * {@code docs/record.schema.json} describes. {@code "v"} is its version, raised only when a field changes meaning or
 * goes away.
 */
public final class RecordJson {
    /** The schema's version, the record's {@code "v"}. */
    public static final int VERSION = 1;

    private RecordJson() {}

    /** Writes the record as one JSON object to {@code json}. */
    static void write(MessageRecord record, String service, JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeNumberField("v", VERSION);
        json.writeStringField("time", RecordFormat.time(record.timeMillis()));
        json.writeStringField("service", service);
        json.writeStringField("client", record.client());
        String name = record.name();
        if (name != null) {
            json.writeStringField("name", name);
        }
        json.writeNumberField("bytes", record.bytes());
        json.writeStringField("text", record.text());
        json.writeEndObject();
    }
}
