package dev.tcpkit.service;

import dev.tcpkit.output.RecordWriter;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A service whose connections' messages become records ({@code reply}, {@code log}, {@code chat}): its failure, final
 * flush and lost records are those of its {@link RecordWriter}.
 */
public abstract class RecordingService implements Service {
    /** Where this service's records go: stdout and the optional output file. */
    protected final RecordWriter writer;

    protected RecordingService(RecordWriter writer) {
        this.writer = writer;
    }

    /** Stops when stdout or the output file fails: what it is given from then on cannot be recorded everywhere. */
    @Override
    public final CompletionStage<String> failure() {
        return writer.failure();
    }

    /**
     * Writes out every record not yet written, flushes stdout and syncs the output file, waiting at most {@code
     * timeout} for them; says how many records were lost, if any.
     */
    @Override
    public final void close(Duration timeout) {
        writer.close(timeout);
    }

    @Override
    public final long lostRecords() {
        return writer.lost();
    }
}
