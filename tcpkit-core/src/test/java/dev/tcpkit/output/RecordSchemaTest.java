package dev.tcpkit.output;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The records written are what docs/record.schema.json promises: its required fields, their types, nothing else. */
class RecordSchemaTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void recordsMatchTheSchema() throws Exception {
        JsonNode schema = JSON.readTree(Files.readString(Path.of("..", "docs", "record.schema.json")));
        List<JsonNode> records = List.of(
                JSON.readTree(
                        new RecordJsonEncoder("log").encode(new MessageRecord(0, "127.0.0.1:1", "héllo \"x\"\n", 9))),
                JSON.readTree(new RecordJsonEncoder("chat").encode(new MessageRecord(1, "[::1]:2", "alice", "hi", 2))));
        for (JsonNode record : records) {
            for (JsonNode required : schema.get("required")) {
                assertThat(record.has(required.asText())).as(required.asText()).isTrue();
            }
            assertThat(record.get("v").asInt())
                    .isEqualTo(schema.at("/properties/v/const").asInt());
            List<String> names = new ArrayList<>();
            for (Map.Entry<String, JsonNode> field : record.properties()) {
                names.add(field.getKey());
                JsonNode declared = schema.at("/properties/" + field.getKey());
                assertThat(declared.isMissingNode())
                        .as("undeclared field " + field.getKey())
                        .isFalse();
                String type = declared.get("type").asText();
                assertThat(
                                type.equals("integer")
                                        ? field.getValue().isInt()
                                        : field.getValue().isTextual())
                        .as(field.getKey() + " is " + type)
                        .isTrue();
            }
            assertThat(names).isNotEmpty();
        }
    }
}
