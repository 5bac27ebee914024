package dev.tcpkit.app.cli;

import dev.tcpkit.codec.Framing;
import dev.tcpkit.internal.StdoutWriter;
import dev.tcpkit.service.Service;
import dev.tcpkit.service.chat.ChatService;
import dev.tcpkit.service.message.MessageService;
import dev.tcpkit.sink.RecordSink;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
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
            description = "Also append every message to FILE as JSON Lines; - writes them to stdout, in place of"
                    + " the text lines.")
    @Nullable
    Path output;

    /** {@code --output -}: the JSON records go to stdout, and the text lines nowhere. */
    private static final Path STDOUT = Path.of("-");

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
                .output(outputFile())
                .sink(sink)
                .stdout(textLines(stdout))
                .build();
    }

    /** The file the JSON records are appended to: {@code -} is this process's stdout, opened as a file. */
    private @Nullable Path outputFile() {
        return STDOUT.equals(output) ? Path.of("/dev/stdout") : output;
    }

    /** Where the text lines go: stdout, unless the JSON records have it. */
    private Writer textLines(PrintWriter stdout) {
        return STDOUT.equals(output) ? Writer.nullWriter() : StdoutWriter.throwingErrors(stdout);
    }

    /** A chat service with these options, as the other {@code build}. */
    Service build(ChatService.Builder builder, int maxLine, PrintWriter stdout, @Nullable RecordSink sink)
            throws IOException {
        if (framing != null) {
            builder.framing(framing);
        }
        return builder.maxLine(maxLine)
                .charset(encoding)
                .output(outputFile())
                .sink(sink)
                .stdout(textLines(stdout))
                .build();
    }
}
