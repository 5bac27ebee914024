package dev.tcpkit.app.cli;

import dev.tcpkit.guard.Cidr;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Checks an address block for {@code --allow}, {@code --deny}, {@code --proxy-from}: {@code 10.0.0.0/8}, {@code ::1}. */
final class CidrConverter implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        try {
            Cidr.parse(value);
            return value;
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
