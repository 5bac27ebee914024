package dev.tcpkit.app.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses a byte count: {@code 1024}, {@code 64KiB}, {@code 1MiB}, {@code 64k}, {@code 1m} (k and m are KiB, MiB). */
final class ByteSizeConverter implements ITypeConverter<Integer> {
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?");

    @Override
    public Integer convert(String value) {
        Matcher m = SIZE.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new TypeConversionException(
                    "'" + value + "' is not a size (write it as a byte count, or with a unit: 64KiB, 1MiB)");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        long multiplier = unit.startsWith("k")
                ? 1024L
                : unit.startsWith("m") ? 1024L * 1024 : unit.startsWith("g") ? 1024L * 1024 * 1024 : 1L;
        long bytes = n * multiplier;
        if (bytes < 1 || bytes > Integer.MAX_VALUE) {
            throw new TypeConversionException("'" + value + "' is out of range (1 byte to 2 GiB - 1)");
        }
        return (int) bytes;
    }
}
