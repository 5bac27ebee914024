package dev.tcpkit.app.cli;

import dev.tcpkit.options.Transport;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code auto}, {@code io_uring}, {@code epoll} or {@code nio}. */
final class TransportConverter implements ITypeConverter<Transport> {
    @Override
    public Transport convert(String value) {
        try {
            return Transport.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
