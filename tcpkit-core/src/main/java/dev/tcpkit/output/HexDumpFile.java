package dev.tcpkit.output;

import dev.tcpkit.codec.HexDumpLines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The {@code --hex-dump} file: each chunk of a connection's traffic as a header line and its bytes in {@code xxd}'s
 * layout (see {@link HexDumpChunk}, {@link LinesFile}).
 */
final class HexDumpFile extends LinesFile {
    private final HexDumpLines hex = new HexDumpLines();
    private final StringBuilder header = new StringBuilder(80);

    /**
     * Opens {@code path} for appending, creating it if needed.
     *
     * @throws IOException saying which file and why, in one line
     */
    HexDumpFile(Path path) throws IOException {
        super(path, "hex dump file");
    }

    @Override
    HexDumpFile reopened() throws IOException {
        return new HexDumpFile(path());
    }

    @Override
    String what() {
        return "hex dump file";
    }

    @Override
    void append(OutputRecord output, byte @Nullable [] json) throws IOException {
        if (!(output instanceof HexDumpChunk chunk)) {
            throw new IllegalArgumentException("not a hex dump chunk: " + output);
        }
        header.setLength(0);
        header.append(RecordFormat.time(chunk.timeMillis()))
                .append(' ')
                .append(chunk.peer())
                .append(chunk.received() ? " >>> " : " <<< ")
                .append(chunk.bytes().readableBytes())
                .append(" bytes\n");
        lines.writeBytes(header.toString().getBytes(StandardCharsets.UTF_8));
        hex.append(chunk.bytes(), chunk.offset(), lines);
        appended();
    }
}
