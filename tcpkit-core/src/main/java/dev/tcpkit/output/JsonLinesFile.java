package dev.tcpkit.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.nio.file.Path;

/** The {@code --output} file: each message's record appended as one JSON line (see {@link LinesFile}). */
final class JsonLinesFile extends LinesFile {
    private final String service;
    private final JsonGenerator json;

    /**
     * Opens {@code path} for appending, creating it if needed.
     *
     * @throws IOException saying which file and why, in one line
     */
    JsonLinesFile(Path path, String service) throws IOException {
        super(path, "output file");
        this.service = service;
        this.json = new JsonFactory().createGenerator(lines);
        this.json.setRootValueSeparator(null);
    }

    @Override
    JsonLinesFile reopened() throws IOException {
        return new JsonLinesFile(path(), service);
    }

    @Override
    String what() {
        return "output file";
    }

    @Override
    void append(OutputRecord output) throws IOException {
        if (!(output instanceof MessageRecord record)) {
            throw new IllegalArgumentException("not a message record: " + output);
        }
        RecordJson.write(record, service, json);
        json.writeRaw('\n');
        json.flush(); // into memory: what waits is whole lines only
        appended();
    }
}
