package dev.tcpkit.output;

import java.io.IOException;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/** The {@code --output} file: each message's record appended as one JSON line (see {@link LinesFile}). */
final class JsonLinesFile extends LinesFile {

    /**
     * Opens {@code path} for appending, creating it if needed.
     *
     * @throws IOException saying which file and why, in one line
     */
    JsonLinesFile(Path path) throws IOException {
        super(path, "output file");
    }

    @Override
    JsonLinesFile reopened() throws IOException {
        return new JsonLinesFile(path());
    }

    @Override
    String what() {
        return "output file";
    }

    @Override
    void append(OutputRecord output, byte @Nullable [] json) throws IOException {
        if (json == null) {
            throw new IllegalArgumentException("not a message record: " + output);
        }
        lines.writeBytes(json);
        lines.write('\n');
        appended();
    }
}
