package dev.tcpkit.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.Connection;
import dev.tcpkit.connection.ConnectionRegistry;
import dev.tcpkit.connection.DatagramCounters;
import dev.tcpkit.connection.ServerCounters;
import dev.tcpkit.sink.SinkBacklog;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Every JSON body the admin endpoint sends, written with Jackson's streaming generator: {@code /api/connections},
 * {@code /api/stats}, and the small answers and errors. Never by hand: a 404 echoing {@code /a%0ab} as a hand-built
 * string was invalid JSON (issue 11).
 */
final class ApiJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private ApiJson() {}

    /**
     * {@code {"service":"chat","open":2,"connections":[{"id":1,"client":"127.0.0.1:53210","name":"ann",
     * "upstream":"127.0.0.1:9000","connectedAt":"2026-11-22T08:30:00.123Z","seconds":12.5,"bytesIn":20,"bytesOut":40,"messages":2},...]}}; {@code
     * name}, {@code upstream} (a relay's) and {@code messages} only where the service has them.
     */
    static void connections(OutputStream out, AdminServer.View view, long nowMillis) throws IOException {
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("service", view.service());
            var open = view.connections().openConnections();
            json.writeNumberField("open", open.size());
            json.writeArrayFieldStart("connections");
            for (Connection c : open) {
                json.writeStartObject();
                json.writeNumberField("id", c.id());
                json.writeStringField("client", c.client());
                String name = c.name();
                if (name != null) {
                    json.writeStringField("name", name);
                }
                String upstream = c.upstream();
                if (upstream != null) {
                    json.writeStringField("upstream", upstream);
                }
                json.writeStringField(
                        "connectedAt",
                        Instant.ofEpochMilli(c.connectedAtMillis()).toString());
                json.writeNumberField("seconds", Math.max(0, nowMillis - c.connectedAtMillis()) / 1000.0);
                json.writeNumberField("bytesIn", c.bytesIn());
                json.writeNumberField("bytesOut", c.bytesOut());
                if (c.messagesTracked()) {
                    json.writeNumberField("messages", c.messages());
                }
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        }
    }

    /**
     * The server, its counters and limits, and the per-second history: {@code {"service":"echo",
     * "address":"0.0.0.0:50007","transport":"epoll","startedAt":"...","uptimeSeconds":12.5,"connections":{"open":1,
     * "accepted":3,"refused":0,"denied":0,"cut":0,"closed":{"client-closed":2,...}},"bytesIn":10,"bytesOut":10,"messages":0, with udp "datagrams":{"received":5,"answered":5,"sent":5,
     * "dropped":{"denied":0,"too-long":0,"unwritable":0}}, with a record sink (Kafka) "sink":{"name":"Kafka topic t",
     * "inFlight":0,"oldestAgeSeconds":0.0},"limits":{"backlog":1024,"drainTimeoutSeconds":10.0,"maxConnections":null,...},
     * "history":{"intervalSeconds":1,"connectionsPerSecond":[...],"bytesInPerSecond":[...],
     * "bytesOutPerSecond":[...]}}}.
     */
    static void stats(OutputStream out, AdminServer.View view, RateHistory history, long nowMillis) throws IOException {
        ConnectionRegistry connections = view.connections();
        ServerCounters counters = view.counters();
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("service", view.service());
            json.writeStringField("address", view.address());
            json.writeStringField("transport", view.transport().displayName());
            json.writeStringField("startedAt", view.startedAt().toString());
            json.writeNumberField(
                    "uptimeSeconds", Math.max(0, nowMillis - view.startedAt().toEpochMilli()) / 1000.0);
            json.writeObjectFieldStart("connections");
            json.writeNumberField("open", connections.openCount());
            json.writeNumberField("accepted", counters.accepted());
            json.writeNumberField("refused", counters.refused());
            json.writeNumberField("denied", counters.denied());
            json.writeNumberField("cut", counters.cut());
            json.writeObjectFieldStart("closed");
            for (CloseReason reason : CloseReason.values()) {
                json.writeNumberField(reason.word(), connections.closed(reason));
            }
            json.writeEndObject();
            json.writeEndObject();
            json.writeNumberField("bytesIn", connections.bytesIn());
            json.writeNumberField("bytesOut", connections.bytesOut());
            json.writeNumberField("messages", connections.messages());
            DatagramCounters datagrams = view.datagrams();
            if (datagrams != null) {
                json.writeObjectFieldStart("datagrams");
                json.writeNumberField("received", datagrams.received());
                json.writeNumberField("answered", datagrams.answered());
                json.writeNumberField("sent", datagrams.sent());
                json.writeObjectFieldStart("dropped");
                for (DatagramCounters.Drop drop : DatagramCounters.Drop.values()) {
                    json.writeNumberField(drop.word(), datagrams.dropped(drop));
                }
                json.writeEndObject();
                json.writeEndObject();
            }
            SinkBacklog sink = view.sinkBacklog();
            if (sink != null) {
                json.writeObjectFieldStart("sink");
                json.writeStringField("name", sink.sink());
                json.writeNumberField("inFlight", sink.inFlight());
                json.writeNumberField("oldestAgeSeconds", sink.oldestAgeMillis() / 1000.0);
                json.writeEndObject();
            }
            json.writeObjectFieldStart("limits");
            for (Map.Entry<String, @Nullable Object> limit : view.limits().entrySet()) {
                json.writeFieldName(limit.getKey());
                limitValue(json, limit.getValue());
            }
            json.writeEndObject();
            json.writeObjectFieldStart("history");
            json.writeNumberField("intervalSeconds", 1);
            series(json, "connectionsPerSecond", history.connectionsPerSecond());
            series(json, "bytesInPerSecond", history.bytesInPerSecond());
            series(json, "bytesOutPerSecond", history.bytesOutPerSecond());
            json.writeEndObject();
            json.writeEndObject();
        }
    }

    /** {@code {"status":"serving"}}, or {@code {"status":"draining"}} once the server is stopping: {@code /health}. */
    static void health(OutputStream out, boolean draining) throws IOException {
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("status", draining ? "draining" : "serving");
            json.writeEndObject();
        }
    }

    /** {@code {"error":"..."}}: why a request was not answered. */
    static void error(OutputStream out, String message) throws IOException {
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("error", message);
            json.writeEndObject();
        }
    }

    /** {@code {"closed":3}}: the answer to {@code POST /api/connections/3/close}. */
    static void closed(OutputStream out, long id) throws IOException {
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeNumberField("closed", id);
            json.writeEndObject();
        }
    }

    /** One of {@link ConfiguredLimits}' values: a number, a string, a boolean, a list of strings, or null. */
    private static void limitValue(JsonGenerator json, @Nullable Object value) throws IOException {
        if (value == null) {
            json.writeNull();
        } else if (value instanceof Integer n) {
            json.writeNumber(n);
        } else if (value instanceof Double d) {
            json.writeNumber(d);
        } else if (value instanceof Boolean b) {
            json.writeBoolean(b);
        } else if (value instanceof List<?> list) {
            json.writeStartArray();
            for (Object item : list) {
                json.writeString(item.toString());
            }
            json.writeEndArray();
        } else {
            json.writeString(value.toString());
        }
    }

    private static void series(JsonGenerator json, String name, double[] values) throws IOException {
        json.writeArrayFieldStart(name);
        for (double v : values) {
            json.writeNumber(Math.round(v * 100) / 100.0);
        }
        json.writeEndArray();
    }
}
