package dev.tcpkit.app.cli;

import dev.tcpkit.Services;
import dev.tcpkit.redis.RedisChatLink;
import dev.tcpkit.service.Service;
import dev.tcpkit.service.chat.ChatService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** {@code tcpkit serve chat}: relays each line to every other client. */
@Command(
        name = "chat",
        description = {
            "Relays each line of each client to all the others as <name> text; /nick NAME, /who, /help, /quit.",
            "Messages go to stdout, one record a line: TIME CLIENT >>> TEXT."
        },
        footer = {
            "  tcpkit serve chat --port 7000 --admin-port 9090",
            "  tcpkit serve chat --encoding gbk --max-line-rate 20",
            "  tcpkit serve chat --port 7000 --redis redis://redis.internal:6379 --room lobby"
        })
final class ChatCommand extends MessageServiceCommand {
    @Option(
            names = "--max-queue",
            paramLabel = "SIZE",
            converter = ByteSizeConverter.class,
            description = "Most bytes waiting to be sent to one client (40 more counted per line); a client that does"
                    + " not read is disconnected past it (default: 1MiB).")
    @Nullable
    Integer maxQueue;

    @Option(
            names = "--max-line-rate",
            paramLabel = "N",
            description = "Most lines a second one client may send (a second's worth at once); past it, reading from"
                    + " that client pauses, nothing is dropped (default: none).")
    @Nullable
    Integer maxLineRate;

    @Option(
            names = "--redis",
            paramLabel = "URI",
            description = "redis[s]://[[USER]:PASSWORD@]HOST:PORT[/DB]: one room with every instance on this Redis and"
                    + " --room; the password may come from TCPKIT_REDIS_PASSWORD instead, and is never printed.")
    @Nullable
    String redis;

    @Option(
            names = "--room",
            paramLabel = "NAME",
            description = "With --redis: the room's name, shared by the instances that make it one (default: chat).")
    String room = "chat";

    @Option(
            names = "--instance-name",
            paramLabel = "NAME",
            description = "With --redis: this instance's name in /who (default: HOST:PORT).")
    @Nullable
    String instanceName;

    @Option(
            names = "--connect-timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "With --redis: how long connecting to Redis may take before the start fails (default: 5s).")
    Duration connectTimeout = Duration.ofSeconds(5);

    /** The library takes 0 for no rate; here no rate is the option left out, so 0 is a mistake. */
    @Override
    void checkOptions() {
        if (maxLineRate != null && maxLineRate < 1) {
            throw new ParameterException(spec.commandLine(), "--max-line-rate must be >= 1: " + maxLineRate);
        }
    }

    @Override
    Service newService() throws IOException {
        ChatService.Builder builder = Services.chat();
        if (maxQueue != null) {
            builder.maxQueue(maxQueue);
        }
        if (maxLineRate != null) {
            builder.maxLineRate(maxLineRate);
        }
        if (redis != null) {
            builder.link(RedisChatLink.connect(
                    redis, System.getenv("TCPKIT_REDIS_PASSWORD"), room, instanceName(), connectTimeout));
        }
        return messages.build(builder, limits.maxLine, spec.commandLine().getOut(), kafka.sink(spec.commandLine()));
    }

    private String instanceName() {
        if (instanceName != null) {
            return instanceName;
        }
        String host = network.host;
        if (host == null) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
        }
        return host + ":" + network.port;
    }
}
