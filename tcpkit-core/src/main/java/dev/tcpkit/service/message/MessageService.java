package dev.tcpkit.service.message;

import dev.tcpkit.codec.Framing;
import dev.tcpkit.codec.LineFrameDecoder;
import dev.tcpkit.internal.StdStreams;
import dev.tcpkit.output.RecordEncoder;
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
 * Prints every message each client sends, as {@code 2026-11-22T08:30:00.123Z 127.0.0.1:53210 >>> hello}, and
 * optionally answers it.
 *
 * <p>Two presets: {@link #reply()} (the "hello" and "byebye" tutorial servers: optional banner, answer {@code Hello
 * from TCP server!}, close after the first message) and {@link #log()} (the "online customers" server: every message
 * of every client until it leaves, connect and leave events on the log, no answer). An answer is sent only once its
 * message is on stdout and in the {@code --output} file, so that what a client saw acknowledged is never lost; when
 * either fails, no answer is sent from then on, and the server stops ({@link #failure()}).
 */
public final class MessageService implements Service {
    /** The reply the {@code reply} service sends by default. */
    public static final String DEFAULT_REPLY = "Hello from TCP server!";

    private final String name;
    private final MessageConfig config;
    /** Where the messages' records go: stdout and the optional output file. */
    private final RecordWriter writer;
    /**
     * Whether lines are recorded from their bytes ({@link RecordEncoder}): the common case of a log server, lines in
     * UTF-8 or ASCII printed to a UTF-8 stdout and nowhere else.
     */
    private final boolean encodedLines;

    private MessageService(String name, MessageConfig config, RecordWriter writer) {
        this.name = name;
        this.config = config;
        this.writer = writer;
        this.encodedLines = config.framing() == Framing.LINE
                && RecordEncoder.encodes(config.charset())
                && writer.takesEncodedLines();
    }

    /** The {@code reply} preset: answers {@value #DEFAULT_REPLY} and closes after the first message. */
    public static Builder reply() {
        return new Builder("reply").reply(DEFAULT_REPLY).keepOpen(false).announce(false);
    }

    /** The {@code log} preset: prints every message until the client leaves, announces connects and leaves. */
    public static Builder log() {
        return new Builder("log").reply("").keepOpen(true).announce(true);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean announcesConnections() {
        return config.announce();
    }

    @Override
    public void initChannel(Channel channel) {
        // A client that stops sending still gets the answers to what it sent (see MessageHandler).
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        if (encodedLines) {
            MessageHandler handler = new MessageHandler(config, writer, channel, true);
            channel.pipeline().addLast(ServerPipeline.FRAMING, new LineFrameDecoder(config.maxLine(), handler::line));
            channel.pipeline().addLast(name, handler);
        } else {
            ServerPipeline.addTextDecoders(channel.pipeline(), config.framing(), config.maxLine(), config.charset());
            channel.pipeline().addLast(name, new MessageHandler(config, writer, channel, false));
        }
    }

    /** Each datagram is one message; framing, the banner and closing after the first have no use there. */
    @Override
    public boolean servesDatagrams() {
        return true;
    }

    @Override
    public void initDatagramChannel(Channel channel) {
        channel.pipeline().addLast(name, new DatagramMessageHandler(config, writer, channel));
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

    /** Configures a {@link MessageService}. */
    public static final class Builder {
        private final String name;
        private Framing framing = Framing.RAW;
        private int maxLine = 64 * 1024;
        private Charset charset = StandardCharsets.UTF_8;
        private String banner = "";
        private String reply = "";
        private boolean keepOpen;
        private boolean announce;
        private @Nullable Path output;
        private @Nullable RecordSink sink;
        private @Nullable Writer stdout;
        private Clock clock = Clock.systemUTC();

        private Builder(String name) {
            this.name = name;
        }

        /** How messages are cut from the stream: one read each ({@code RAW}, default) or one line each. */
        public Builder framing(Framing framing) {
            this.framing = framing;
            return this;
        }

        /**
         * The longest line accepted with line framing, in bytes (default 64 KiB); a longer one closes the connection.
         * At least 1, checked by {@link #build()}.
         */
        public Builder maxLine(int maxLine) {
            this.maxLine = maxLine;
            return this;
        }

        /** The charset messages are decoded from and the banner and reply encoded to (default UTF-8). */
        public Builder charset(Charset charset) {
            this.charset = charset;
            return this;
        }

        /** Text sent as soon as a client connects; empty (default) sends nothing. Not sent over UDP: no one connects. */
        public Builder banner(String banner) {
            this.banner = banner;
            return this;
        }

        /** Text sent in answer to each message; empty sends nothing. */
        public Builder reply(String reply) {
            this.reply = reply;
            return this;
        }

        /** Whether the connection stays open after the first message ({@code false} closes it once answered). */
        public Builder keepOpen(boolean keepOpen) {
            this.keepOpen = keepOpen;
            return this;
        }

        /** Whether connects and leaves are logged at info level (otherwise at debug). */
        public Builder announce(boolean announce) {
            this.announce = announce;
            return this;
        }

        /**
         * Also sends every record to {@code sink} (Kafka): an acknowledgement a client is sent waits for the sink too.
         */
        public Builder sink(@Nullable RecordSink sink) {
            this.sink = sink;
            return this;
        }

        /** A file every message is appended to as a JSON line, or {@code null} for none (default). */
        public Builder output(@Nullable Path output) {
            this.output = output;
            return this;
        }

        /** Where record lines are printed; default standard output in the terminal's charset. */
        public Builder stdout(Writer stdout) {
            this.stdout = stdout;
            return this;
        }

        /** The clock that timestamps records. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * Builds the service and starts its output writer.
         *
         * @throws IllegalArgumentException if {@code maxLine} is below 1; the output file is then not opened
         * @throws IOException if the {@link #output} file cannot be opened for appending
         */
        public MessageService build() throws IOException {
            Writer out = stdout != null ? stdout : StdStreams.stdoutText();
            MessageConfig config = new MessageConfig(
                    name,
                    framing,
                    maxLine,
                    charset,
                    banner.getBytes(charset),
                    reply.getBytes(charset),
                    !keepOpen,
                    announce,
                    clock);
            return new MessageService(name, config, new RecordWriter(out, output, name, sink));
        }
    }
}
