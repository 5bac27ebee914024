package dev.tcpkit;

import dev.tcpkit.service.Service;
import dev.tcpkit.service.chat.ChatService;
import dev.tcpkit.service.discard.DiscardService;
import dev.tcpkit.service.echo.EchoService;
import dev.tcpkit.service.exec.ExecService;
import dev.tcpkit.service.forward.ForwardService;
import dev.tcpkit.service.handler.HandlerService;
import dev.tcpkit.service.hexdump.HexDumpService;
import dev.tcpkit.service.message.MessageService;
import io.netty.channel.ChannelHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * The built-in services, and a way to run your own Netty handler.
 *
 * <pre>{@code
 * TcpServer.builder().bind("127.0.0.1", 0).service(Services.echo()).start();
 * TcpServer.builder().service(Services.reply().banner("byebye").reply("").build()).start();
 * TcpServer.builder().service(Services.chat().charset(Charset.forName("GBK")).build()).start();
 * TcpServer.builder().service(Services.handler("upper", UpperCaseHandler::new)).start();
 * }</pre>
 */
public final class Services {
    private Services() {}

    /** Echo (RFC 862): every byte back, in order, until the client closes. */
    public static Service echo() {
        return new EchoService();
    }

    /** Discard (RFC 863): reads and drops everything. */
    public static Service discard() {
        return new DiscardService();
    }

    /** Prints each message and answers {@code Hello from TCP server!}, closing after the first; configure, then build. */
    public static MessageService.Builder reply() {
        return MessageService.reply();
    }

    /** Prints every message of every client with its address until it leaves; configure, then build. */
    public static MessageService.Builder log() {
        return MessageService.log();
    }

    /**
     * A chat room: each line a client sends reaches every other client as {@code <name> text}; names, {@code /nick},
     * {@code /who}, join and leave notices; a client that does not read is disconnected. Configure, then build.
     */
    public static ChatService.Builder chat() {
        return ChatService.builder();
    }

    /**
     * A TCP relay: each connection is joined to a new connection to the next upstream in turn ({@code to(host, port)},
     * repeatable), bytes passed on unchanged both ways. Configure, then build.
     */
    public static ForwardService.Builder forward() {
        return ForwardService.builder();
    }

    /**
     * Runs {@code command} (the program, then its arguments; no shell) for each connection, its stdin fed from the
     * connection and its stdout sent to the client, as inetd does. Configure, then build.
     */
    public static ExecService.Builder exec(List<String> command) {
        return ExecService.builder(command);
    }

    /**
     * Your own Netty handler, served with everything the server supplies (limits, graceful shutdown). The supplier is
     * called once per connection, on that connection's event loop.
     */
    public static Service handler(String name, Supplier<? extends ChannelHandler> handlerPerConnection) {
        return new HandlerService(name, handlerPerConnection);
    }

    /**
     * {@code service} with a hex dump of every connection appended to {@code file} (the command line's {@code
     * --hex-dump}): each read and each write under a header line, {@code TIME CLIENT >>> N bytes} (received) or {@code
     * <<< N bytes} (sent), then the bytes in {@code xxd}'s layout, the offset counting each direction's bytes of the
     * connection. A failed write to the file stops the server as a failed {@code --output} does; {@code
     * TcpServer.reload()} reopens it.
     *
     * @throws IOException saying in one line why the file cannot be opened for appending
     */
    public static Service hexDump(Service service, Path file) throws IOException {
        return HexDumpService.of(service, file, Clock.systemUTC());
    }
}
