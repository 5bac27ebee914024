package dev.tcpkit.app.cli;

import dev.tcpkit.Services;
import dev.tcpkit.internal.Addresses;
import dev.tcpkit.output.HexDumpHandler;
import dev.tcpkit.output.RecordWriter;
import dev.tcpkit.service.Service;
import io.netty.channel.ChannelHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** {@code --hex-dump FILE} (ncat's name), for {@code connect} and {@code serve echo|log|forward}. */
final class HexDumpOptions {
    @Option(
            names = "--hex-dump",
            paramLabel = "FILE",
            description =
                    "Also append every byte of each connection to FILE as xxd shows it, under a header per read"
                            + " or write: TIME PEER >>> N bytes (received) or <<< N bytes (sent). A server reopens it on SIGHUP.")
    @Nullable
    Path file;

    /** {@code service}, with its connections dumped when {@code --hex-dump} is given; opens the file. */
    Service wrap(Service service) throws IOException {
        return file == null ? service : Services.hexDump(service, file);
    }

    /** The dump's writer, or {@code null} without {@code --hex-dump}; opens the file. */
    @Nullable
    RecordWriter openWriter() throws IOException {
        return file == null ? null : RecordWriter.hexDump(file);
    }

    /** A client's dump handler per connection, naming the server it is connected to. */
    static Supplier<ChannelHandler> clientHandlers(RecordWriter writer) {
        return () ->
                new HexDumpHandler(writer, channel -> Addresses.format(channel.remoteAddress()), Clock.systemUTC());
    }
}
