package dev.tcpkit.internal;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;

/**
 * The process's standard streams as raw bytes and as text in the terminal's charset.
 *
 * <p>{@code System.out} encodes with the JVM's default charset, which under {@code LANG=C} on Java 17 is ASCII; tcpkit
 * prints through these instead, with an explicit charset and explicit flushes.
 */
public final class StdStreams {
    private StdStreams() {}

    /** Standard output as bytes, buffered: flush after each burst. */
    public static OutputStream stdout() {
        return new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 64 * 1024);
    }

    /** Standard input as bytes, unbuffered so that an interactive line is seen as soon as it is typed. */
    public static InputStream stdin() {
        return new FileInputStream(FileDescriptor.in);
    }

    /** Standard output as text in the terminal's charset; not auto-flushed; a write that fails throws. */
    public static Writer stdoutText() {
        return new EncodingWriter(stdout(), TerminalCharset.get());
    }

    /**
     * Standard output as text in the terminal's charset, not auto-flushed, as a {@code PrintWriter} (which hides a
     * failed write); {@link StdoutWriter#throwingErrors} gives the same stream back as {@link #stdoutText}.
     */
    public static PrintWriter stdoutWriter() {
        return new StdoutWriter(stdoutText());
    }

    /** Standard error as text in the terminal's charset; flushed on every line. */
    public static PrintWriter stderrWriter() {
        return new PrintWriter(
                new OutputStreamWriter(new FileOutputStream(FileDescriptor.err), TerminalCharset.get()), true);
    }
}
