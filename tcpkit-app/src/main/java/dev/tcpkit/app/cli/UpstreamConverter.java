package dev.tcpkit.app.cli;

import dev.tcpkit.service.forward.ForwardService;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a {@code --to} upstream: {@code unix:PATH} for a Unix domain socket, else {@code HOST:PORT}. */
final class UpstreamConverter implements ITypeConverter<UpstreamConverter.Target> {
    private static final String UNIX = "unix:";

    /** Where to forward to. */
    interface Target {
        /** Adds this upstream to the service being built. */
        void addTo(ForwardService.Builder builder);
    }

    /** A TCP upstream. */
    record Tcp(String host, int port) implements Target {
        @Override
        public void addTo(ForwardService.Builder builder) {
            builder.to(host, port);
        }
    }

    /** A Unix domain stream socket upstream. */
    record Unix(Path path) implements Target {
        @Override
        public void addTo(ForwardService.Builder builder) {
            builder.toUnix(path);
        }
    }

    @Override
    public Target convert(String value) {
        if (value.startsWith(UNIX)) {
            String path = value.substring(UNIX.length());
            if (path.isEmpty()) {
                throw new TypeConversionException("'" + value + "' names no socket file: unix:PATH");
            }
            try {
                return new Unix(Path.of(path));
            } catch (InvalidPathException e) {
                throw new TypeConversionException("'" + value + "' is not a file path: " + e.getReason());
            }
        }
        HostPortConverter.HostPort hostPort = new HostPortConverter().convert(value);
        return new Tcp(hostPort.host(), hostPort.port());
    }
}
