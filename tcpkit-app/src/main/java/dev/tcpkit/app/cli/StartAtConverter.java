package dev.tcpkit.app.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses {@code bench --start-at}: an ISO-8601 instant ({@code 2026-12-06T01:30:00Z}) or {@code +DURATION} from now,
 * so several generators can be told to start together. A time already past is refused: waiting for it is a mistake.
 */
final class StartAtConverter implements ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
        String v = value.trim();
        Instant at;
        if (v.startsWith("+")) {
            at = Instant.now().plus(new DurationConverter().convert(v.substring(1)));
        } else {
            try {
                at = Instant.parse(v);
            } catch (DateTimeParseException e) {
                throw new TypeConversionException(
                        "'" + value + "' is not a start time (write it as ISO-8601 2026-01-01T12:00:00Z or +10s)");
            }
            if (at.isBefore(Instant.now())) {
                throw new TypeConversionException("'" + value + "' is in the past");
            }
        }
        return at;
    }
}
