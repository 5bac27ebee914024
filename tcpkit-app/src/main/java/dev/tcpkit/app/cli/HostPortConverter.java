package dev.tcpkit.app.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code HOST:PORT} ({@code [::1]:PORT} for an IPv6 literal), the port within 1–65535. */
final class HostPortConverter implements ITypeConverter<HostPortConverter.HostPort> {

    /** A host (a name or an address, IPv6 without brackets) and a port. */
    record HostPort(String host, int port) {}

    @Override
    public HostPort convert(String value) {
        int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1) {
            throw invalid(value);
        }
        String host = value.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw invalid(value); // an IPv6 literal needs its brackets: [::1]:80
        }
        if (host.isBlank()) {
            throw invalid(value);
        }
        int port;
        try {
            port = Integer.parseInt(value.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw invalid(value);
        }
        if (port < 1 || port > 65535) {
            throw invalid(value);
        }
        return new HostPort(host, port);
    }

    private static TypeConversionException invalid(String value) {
        return new TypeConversionException(
                "'" + value + "' is not HOST:PORT (a port within 1-65535; an IPv6 address in brackets: [::1]:80)");
    }
}
