package dev.tcpkit.internal;

import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.Charset;

/**
 * A writer that encodes to a byte stream in a known charset and hands that stream out, so that text already encoded
 * in that charset (record lines made straight from the bytes a client sent) can skip the encoder.
 */
public final class EncodingWriter extends OutputStreamWriter {
    private final OutputStream bytes;
    private final Charset charset;

    public EncodingWriter(OutputStream bytes, Charset charset) {
        super(bytes, charset);
        this.bytes = bytes;
        this.charset = charset;
    }

    /** The stream under this writer: flush this writer before writing to it, as chars may wait in the encoder. */
    public OutputStream bytes() {
        return bytes;
    }

    /** The charset this writer encodes to. */
    public Charset charset() {
        return charset;
    }
}
