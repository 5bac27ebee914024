package dev.tcpkit.app.cli;

import dev.tcpkit.options.TlsProvider;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code auto}, {@code openssl} or {@code jdk}. */
final class TlsProviderConverter implements ITypeConverter<TlsProvider> {
    @Override
    public TlsProvider convert(String value) {
        try {
            return TlsProvider.parse(value);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
