package dev.tcpkit.output;

import dev.tcpkit.connection.CloseReason;
import dev.tcpkit.connection.Connection;
import dev.tcpkit.internal.Errors;
import dev.tcpkit.transport.ReadSizes;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's records on their way to the {@link RecordWriter} (stdout and {@code --output}, or its {@code
 * --hex-dump}), with backpressure: while more than {@value #MAX_PENDING} bytes of them wait for the writer (a slow
 * terminal or pipe), reading from the connection pauses; it resumes once half of that is written. So a stalled stdout
 * holds a bounded amount per connection and never blocks an event loop.
 *
 * <p>Records go to the writer once per read burst ({@link #submit}), and come back once for however many were
 * written meanwhile: at hundreds of thousands of lines a second, a thread wake-up and a {@code write(2)} per line
 * would cost far more than the line itself.
 *
 * <p>When the writer has a sink (Kafka), the connection's reads are capped ({@link ReadSizes#TO_SINK}): its records
 * then wait for the broker's round trip, and what one read brings past the window waits with them.
 *
 * <p>One per connection, used on its event loop; the writer's callbacks hop back onto it.
 */
public final class PendingRecords {
    private static final Logger log = LoggerFactory.getLogger(PendingRecords.class);
    /** Bytes of records (text plus a fixed cost for each) that may wait for the writer before reads pause. */
    public static final int MAX_PENDING = 64 * 1024;

    private final RecordWriter writer;
    private final Channel channel;
    private final IntConsumer onWritten;
    /** Records of the current read burst, not yet handed to the writer. */
    private ArrayList<OutputRecord> unsent = new ArrayList<>();

    private long unsentCost;
    /** How many records the last burst had. */
    private int lastBurst;
    /** How many records {@link #unsent} holds: a batch of encoded lines is as many as its lines. */
    private int unsentRecords;
    /** What the records added and not yet written cost, in bytes. */
    private long pending;

    private boolean paused;
    /** Written by the writer thread, not yet seen by the event loop; see {@link #written}. */
    private final AtomicInteger writtenRecords = new AtomicInteger();

    private final AtomicLong writtenCost = new AtomicLong();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    /** Records that need no acknowledgement. */
    public PendingRecords(RecordWriter writer, Channel channel) {
        this(writer, channel, written -> {});
    }

    /**
     * @param onWritten runs on the connection's event loop with the number of records, in the order they were
     *     added, that are now on stdout and synced to the output file, so that they may be acknowledged
     */
    public PendingRecords(RecordWriter writer, Channel channel, IntConsumer onWritten) {
        this.writer = writer;
        this.channel = channel;
        this.onWritten = onWritten;
        if (writer.sinkBacklog() != null && channel.config().getRecvByteBufAllocator() == ReadSizes.ADAPTIVE) {
            channel.config().setRecvByteBufAllocator(ReadSizes.TO_SINK); // a stream's reads; a datagram's stay whole
        }
    }

    /** Whether reads are paused because too much of this connection's output waits for the writer. */
    public boolean behind() {
        return paused;
    }

    /** Adds a record to the current burst; {@link #submit} hands the burst to the writer. */
    public void add(OutputRecord record) {
        long cost = record.cost();
        pending += cost;
        if (unsent.isEmpty()) {
            unsent.ensureCapacity(lastBurst); // bursts come alike: no copying as the list grows, record by record
        }
        unsent.add(record);
        unsentCost += cost;
        unsentRecords += record.records();
        if (pending > MAX_PENDING && !paused) {
            paused = true;
            channel.config().setAutoRead(false);
            log.debug("{}: output is behind, pausing reads", channel.remoteAddress());
        }
    }

    /**
     * Hands the records added since the last call to the writer, in one piece, without blocking. Call it when a
     * read burst ends ({@code channelReadComplete}), at the end of input, and when the connection closes.
     */
    public void submit() {
        if (unsent.isEmpty()) {
            return;
        }
        List<OutputRecord> records = unsent;
        lastBurst = records.size();
        long cost = unsentCost;
        int count = unsentRecords;
        unsent = new ArrayList<>();
        unsentCost = 0;
        unsentRecords = 0;
        writer.write(records, () -> written(count, cost), this::rejected);
    }

    /** On the writer thread: one hop to the event loop for however many records it has written meanwhile. */
    private void written(int records, long cost) {
        writtenCost.addAndGet(cost);
        writtenRecords.addAndGet(records);
        if (drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this::drain);
        }
    }

    /** A record refused for good is never acknowledged: the connection is cut with that reason, not left waiting. */
    private void rejected(Throwable why) {
        channel.eventLoop().execute(() -> {
            String detail = "record rejected: " + Errors.reason(why);
            Connection connection = Connection.of(channel);
            if (connection != null) {
                connection.closeReason(CloseReason.RECORD_REJECTED, detail);
            }
            log.atWarn()
                    .addKeyValue("event", "record-rejected")
                    .addKeyValue("client", String.valueOf(channel.remoteAddress()))
                    .log("{}: {}", channel.remoteAddress(), detail);
            var unused = channel.close();
        });
    }

    private void drain() {
        drainScheduled.set(false); // before taking the counts: records written from now on schedule another drain
        int records = writtenRecords.getAndSet(0);
        pending -= writtenCost.getAndSet(0);
        if (paused && pending <= MAX_PENDING / 2) {
            paused = false;
            if (channel.isActive()) { // a closed channel's registration is gone; resuming it would fail
                channel.config().setAutoRead(true);
            }
        }
        if (records > 0) {
            onWritten.accept(records);
        }
    }
}
