package dev.tcpkit.service;

import dev.tcpkit.output.MessageRecord;
import dev.tcpkit.output.RecordWriter;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's records on their way to the {@link RecordWriter} (stdout and {@code --output}), with
 * backpressure: while more than {@value #MAX_PENDING} bytes of them wait for the writer (a slow terminal or pipe),
 * reading from the connection pauses; it resumes once half of that is written. So a stalled stdout holds a bounded
 * amount per connection and never blocks an event loop.
 *
 * <p>One per connection, used on its event loop; the writer's callbacks hop back onto it.
 */
public final class PendingRecords {
    private static final Logger log = LoggerFactory.getLogger(PendingRecords.class);
    /** Bytes of records (text plus a fixed cost for each) that may wait for the writer before reads pause. */
    public static final int MAX_PENDING = 64 * 1024;

    private static final int RECORD_COST = 128;

    private final RecordWriter writer;
    private final Channel channel;
    /** What the records handed to the writer and not yet written cost, in bytes. */
    private long pending;

    private boolean paused;

    public PendingRecords(RecordWriter writer, Channel channel) {
        this.writer = writer;
        this.channel = channel;
    }

    /** Hands {@code record} to the writer without blocking. */
    public void submit(MessageRecord record) {
        submit(record, PendingRecords::nothing);
    }

    private static void nothing() {}

    /**
     * Hands {@code record} to the writer without blocking; {@code onWritten} runs on the connection's event loop once
     * the record is on stdout and synced to the output file, so that it may be acknowledged.
     */
    public void submit(MessageRecord record, Runnable onWritten) {
        long cost = RECORD_COST + 2L * record.text().length();
        pending += cost;
        if (pending > MAX_PENDING && !paused) {
            paused = true;
            channel.config().setAutoRead(false);
            log.debug("{}: output is behind, pausing reads", record.client());
        }
        writer.write(
                record,
                () -> channel.eventLoop().execute(() -> {
                    written(cost);
                    onWritten.run();
                }));
    }

    private void written(long cost) {
        pending -= cost;
        if (paused && pending <= MAX_PENDING / 2) {
            paused = false;
            channel.config().setAutoRead(true);
        }
    }
}
