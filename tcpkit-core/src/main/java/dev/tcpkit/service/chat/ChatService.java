package dev.tcpkit.service.chat;

import dev.tcpkit.codec.Framing;
import dev.tcpkit.internal.StdStreams;
import dev.tcpkit.output.PendingRecords;
import dev.tcpkit.output.RecordWriter;
import dev.tcpkit.pipeline.ServerPipeline;
import dev.tcpkit.service.Service;
import dev.tcpkit.sink.RecordSink;
import dev.tcpkit.sink.SinkBacklog;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * A chat room: each line one client sends reaches every other client as {@code <name> text}, in the server's
 * charset, never escaped beyond control characters.
 *
 * <p>Each client is named {@code user1}, {@code user2}, … when it joins and may choose a name with {@code /nick
 * NAME}; {@code /who} lists who is online, {@code /help} the commands, {@code /quit} leaves. Joins, leaves and
 * renames are announced to the room as lines starting with {@code ***} (formats in {@link ChatText}). Every relayed
 * line is also printed as a record ({@code TIME ADDRESS >>> <name> text}) and appended to the output file, if any.
 *
 * <p>A client that does not read is disconnected, with a notice to the room, once more than {@code maxQueue} bytes
 * wait for it, or once lines have waited for it for the whole {@code sendTimeout} while it took nothing; until then
 * it slows nobody: relaying never waits for a receiver. A client that sends faster than the room reads is slowed
 * instead: its reads pause while its lines hold more than half of {@code maxQueue} in the room, all clients' queues
 * together, so that no client that reads is cut because of it; {@code maxLineRate} also bounds its lines a second.
 */
public final class ChatService implements Service {

    private final ChatConfig config;
    private final ChatRoom room;
    /** Where the room's records go: stdout and the optional output file. */
    private final RecordWriter writer;

    private ChatService(ChatConfig config, RecordWriter writer, @Nullable ChatLink link) {
        this.writer = writer;
        this.config = config;
        this.room = new ChatRoom(config, link);
    }

    /** A builder for a chat service with line framing, UTF-8, lines up to 64 KiB and 1 MiB of queue per client. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return "chat";
    }

    /** Who comes and goes is part of a chat server's log: each disconnect, with the client's name and lines. */
    @Override
    public boolean announcesConnections() {
        return true;
    }

    @Override
    public void initChannel(Channel channel) {
        // A client that stops sending has left; it still gets what was queued for it before the connection closes.
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        ServerPipeline.addTextDecoders(channel.pipeline(), config.framing(), config.maxLine(), config.charset());
        channel.pipeline().addLast(name(), new ChatHandler(config, room, new PendingRecords(writer, channel)));
    }

    /** Stops when stdout or the output file fails: what it is given from then on cannot be recorded everywhere. */
    @Override
    public CompletionStage<String> failure() {
        return writer.failure();
    }

    /**
     * Writes out every record not yet written, flushes stdout and syncs the output file, waiting at most {@code
     * timeout} for them; says how many records were lost, if any.
     */
    @Override
    public List<String> reload() throws IOException {
        return writer.reload();
    }

    @Override
    public void close(Duration timeout) {
        room.close();
        writer.close(timeout);
    }

    /** The record sink's backlog and meters (Kafka's), if there is a sink. */
    @Override
    public void bindMeters(MeterRegistry registry) {
        writer.bindMeters(registry);
    }

    @Override
    public @Nullable SinkBacklog sinkBacklog() {
        return writer.sinkBacklog();
    }

    @Override
    public long lostRecords() {
        return writer.lost();
    }

    /** Clients in the room now. */
    public int members() {
        return room.size();
    }

    /**
     * Bytes waiting now in the outboxes of all clients, beyond what Netty buffers for each (at most its high water
     * mark, 64 KiB): what clients that read slower than the room talks hold on the server.
     */
    public long queuedBytes() {
        return room.queuedBytes();
    }

    /** Bytes waiting now for the one client with the most waiting; never more than {@code maxQueue} for long. */
    public long largestQueue() {
        return room.largestQueue();
    }

    /** Configures a {@link ChatService}. */
    public static final class Builder {
        private Framing framing = Framing.LINE;
        private int maxLine = 64 * 1024;
        private Charset charset = StandardCharsets.UTF_8;
        private int maxQueue = 1024 * 1024;
        private Duration sendTimeout = Duration.ofSeconds(10);
        private int maxLineRate;
        private @Nullable Path output;
        private @Nullable RecordSink sink;
        private @Nullable Writer stdout;
        private Clock clock = Clock.systemUTC();
        private @Nullable ChatLink link;

        private Builder() {}

        /**
         * How lines are cut from the stream: at newlines ({@code LINE}, default), or one read each ({@code RAW}, for
         * clients that send without a newline; a trailing newline is then dropped).
         */
        public Builder framing(Framing framing) {
            this.framing = framing;
            return this;
        }

        /**
         * The longest line accepted, in bytes (default 64 KiB); a longer one disconnects its sender. At least 1,
         * checked by {@link #build()}.
         */
        public Builder maxLine(int maxLine) {
            this.maxLine = maxLine;
            return this;
        }

        /** The charset of the text on the wire, both ways (default UTF-8). */
        public Builder charset(Charset charset) {
            this.charset = charset;
            return this;
        }

        /**
         * The most bytes that may wait to be sent to one client (default 1 MiB), each waiting line counted with 40
         * bytes more for its bookkeeping; a client past it does not read and is disconnected. A single line longer
         * than this is still delivered to a client with nothing waiting. Half of it is each sender's share: the most
         * its lines may hold in all the clients' queues together before reading from it pauses. At least 1, checked
         * by {@link #build()}.
         */
        public Builder maxQueue(int maxQueue) {
            this.maxQueue = maxQueue;
            return this;
        }

        /**
         * How long lines may wait for a client that takes nothing, not one byte, before it is disconnected as not
         * reading (default 10 s). It counts only once the client's socket buffers and Netty's are full, and only
         * while lines wait beyond them: a client in a quiet room is never cut by it. Without it a client that stops
         * reading would hold up whoever talks to it: each sender's reads pause once its lines fill its share of the
         * room, before the stalled client's queue overflows. Positive, checked by {@link #build()}.
         */
        public Builder sendTimeout(Duration sendTimeout) {
            this.sendTimeout = sendTimeout;
            return this;
        }

        /**
         * The most lines a second one client may send (commands included), or 0 for no limit (default). A client
         * that was quiet may send one second's worth at once; past the rate, reading from it pauses until its next
         * line is due: nothing is dropped. Not negative, checked by {@link #build()}.
         */
        public Builder maxLineRate(int maxLineRate) {
            this.maxLineRate = maxLineRate;
            return this;
        }

        /**
         * Also sends every record to {@code sink} (Kafka): an acknowledgement a client is sent waits for the sink too.
         */
        public Builder sink(@Nullable RecordSink sink) {
            this.sink = sink;
            return this;
        }

        /** A file every relayed line is appended to as a JSON line, or {@code null} for none (default). */
        public Builder output(@Nullable Path output) {
            this.output = output;
            return this;
        }

        /** Where record lines are printed; default standard output in the terminal's charset. */
        public Builder stdout(Writer stdout) {
            this.stdout = stdout;
            return this;
        }

        /**
         * Makes the room one with the same room on other instances, through {@code link} (tcpkit-redis has one on
         * Redis), or {@code null} for this instance alone (default). The service closes the link when it closes.
         */
        public Builder link(@Nullable ChatLink link) {
            this.link = link;
            return this;
        }

        /** The clock that timestamps records and measures how long clients have been connected. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Builds the service and starts its output writer.
         *
         * @throws IllegalArgumentException if a value is out of range ({@code maxLine}, {@code maxQueue}, {@code
         *     sendTimeout}, {@code maxLineRate}); the output file is then not opened
         * @throws IOException if the {@link #output} file cannot be opened for appending
         */
        public ChatService build() throws IOException {
            Writer out = stdout != null ? stdout : StdStreams.stdoutText();
            ChatConfig config = new ChatConfig(framing, maxLine, charset, maxQueue, sendTimeout, maxLineRate, clock);
            return new ChatService(config, new RecordWriter(out, output, "chat", sink), link);
        }
    }
}
