package dev.tcpkit.app.cli;

import dev.tcpkit.codec.Framing;
import dev.tcpkit.internal.StdoutWriter;
import dev.tcpkit.service.Service;
import dev.tcpkit.service.chat.ChatService;
import dev.tcpkit.service.message.MessageService;
import dev.tcpkit.sink.RecordSink;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * What a message is and where its records go: the {@code Messages} section of the services that print messages
 * (reply, log, chat).
 */
final class MessageOptions {
    @Option(
            names = "--framing",
            paramLabel = "raw|line",
            description = "A message is one read (raw) or one line (default: raw; line for chat).")
    @Nullable
    Framing framing;

    @Option(
            names = "--encoding",
            paramLabel = "CHARSET",
            defaultValue = "UTF-8",
            converter = CharsetConverter.class,
            description =
                    "Charset of the text on the wire: GBK, GB18030, Big5, ISO-8859-1, ... (default: ${DEFAULT-VALUE}).")
    Charset encoding = StandardCharsets.UTF_8;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Also append every message to FILE as JSON Lines.")
    @Nullable
    Path output;

    /**
     * A reply or log service with these options, printing records to {@code stdout} and sending them to {@code sink},
     * if any; opens the output file.
     */
    Service build(MessageService.Builder builder, int maxLine, PrintWriter stdout, @Nullable RecordSink sink)
            throws IOException {
        if (framing != null) {
            builder.framing(framing);
        }
        return builder.maxLine(maxLine)
                .charset(encoding)
                .output(output)
                .sink(sink)
                .stdout(StdoutWriter.throwingErrors(stdout))
                .build();
    }

    /** A chat service with these options, as the other {@code build}. */
    Service build(ChatService.Builder builder, int maxLine, PrintWriter stdout, @Nullable RecordSink sink)
            throws IOException {
        if (framing != null) {
            builder.framing(framing);
        }
        return builder.maxLine(maxLine)
                .charset(encoding)
                .output(output)
                .sink(sink)
                .stdout(StdoutWriter.throwingErrors(stdout))
                .build();
    }
}
