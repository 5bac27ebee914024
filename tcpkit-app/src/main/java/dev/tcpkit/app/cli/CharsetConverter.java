package dev.tcpkit.app.cli;

import dev.tcpkit.codec.TextDecoder;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Any charset the JDK knows, by name or alias: {@code UTF-8}, {@code gbk}, {@code GB18030}, {@code Big5}, {@code latin1}. */
final class CharsetConverter implements ITypeConverter<Charset> {
    @Override
    public Charset convert(String value) {
        Charset charset;
        try {
            charset = Charset.forName(value.trim());
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            throw new TypeConversionException(
                    "unknown charset '" + value + "' (for example UTF-8, GBK, GB18030, Big5, ISO-8859-1)");
        }
        try {
            TextDecoder.checkNotGuessing(charset);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
        return charset;
    }
}
