package dev.tcpkit.app.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses {@code 500ms}, {@code 1s}, {@code 5m}, {@code 1h} (also {@code 1.5s}) and ISO-8601 {@code PT1S}. */
final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h|d)?");

    @Override
    public Duration convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.startsWith("pt") || v.startsWith("p")) {
            try {
                return nonNegative(Duration.parse(value.trim()), value);
            } catch (DateTimeParseException e) {
                throw invalid(value);
            }
        }
        Matcher m = SIMPLE.matcher(v);
        if (!m.matches()) {
            throw invalid(value);
        }
        double amount = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "m" -> amount * 60_000;
            case "h" -> amount * 3_600_000;
            case "d" -> amount * 86_400_000;
            default -> amount * 1000;
        };
        return Duration.ofNanos(Math.round(millis * 1_000_000));
    }

    private static Duration nonNegative(Duration d, String value) {
        if (d.isNegative()) {
            throw invalid(value);
        }
        return d;
    }

    private static TypeConversionException invalid(String value) {
        return new TypeConversionException(
                "'" + value + "' is not a duration (write it as 500ms, 1s, 5m, 1h or ISO-8601 PT1S)");
    }
}
