package dev.tcpkit.service.hexdump;

import dev.tcpkit.connection.ClientAddress;
import dev.tcpkit.output.HexDumpHandler;
import dev.tcpkit.output.RecordWriter;
import dev.tcpkit.pipeline.ServerPipeline;
import dev.tcpkit.service.Service;
import dev.tcpkit.sink.SinkBacklog;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * A service with a {@code --hex-dump}: every byte each client sends and receives, in {@code xxd}'s layout, appended
 * to a file by a {@link RecordWriter} of its own (see {@link HexDumpHandler}, {@code HexDumpChunk}). The dump's file
 * behaves as {@code --output}'s: a failed write stops the server ({@link #failure()}) with the chunks lost counted,
 * and a reload reopens it at its path, for a log rotation.
 */
public final class HexDumpService implements Service {
    /** {@link #close} gives the dump at least this long to flush after the service's own close. */
    private static final Duration MIN_FLUSH = Duration.ofSeconds(1);

    private final Service service;
    private final RecordWriter writer;
    private final Clock clock;

    private HexDumpService(Service service, RecordWriter writer, Clock clock) {
        this.service = service;
        this.writer = writer;
        this.clock = clock;
    }

    /**
     * {@code service} with the dump of its connections appended to {@code file}.
     *
     * @throws IOException saying in one line why the file cannot be opened for appending
     */
    public static HexDumpService of(Service service, Path file, Clock clock) throws IOException {
        return new HexDumpService(service, RecordWriter.hexDump(file), clock);
    }

    @Override
    public String name() {
        return service.name();
    }

    @Override
    public boolean announcesConnections() {
        return service.announcesConnections();
    }

    /** The dump goes ahead of the service's handlers: it sees the client's bytes before any decoder does. */
    @Override
    public void initChannel(Channel channel) {
        channel.pipeline().addLast(ServerPipeline.HEX_DUMP, new HexDumpHandler(writer, ClientAddress::format, clock));
        service.initChannel(channel);
    }

    @Override
    public void bindMeters(MeterRegistry registry) {
        service.bindMeters(registry);
    }

    @Override
    public @Nullable SinkBacklog sinkBacklog() {
        return service.sinkBacklog();
    }

    @Override
    public CompletionStage<String> failure() {
        return service.failure().applyToEither(writer.failure(), reason -> reason);
    }

    @Override
    public List<String> reload() throws IOException {
        List<String> reloaded = new ArrayList<>(writer.reload());
        reloaded.addAll(service.reload());
        return reloaded;
    }

    @Override
    public void close(Duration timeout) {
        long start = System.nanoTime();
        service.close(timeout);
        Duration left = timeout.minusNanos(System.nanoTime() - start);
        writer.close(left.compareTo(MIN_FLUSH) < 0 ? MIN_FLUSH : left);
    }

    @Override
    public long lostRecords() {
        return service.lostRecords() + writer.lost();
    }
}
