package dev.tcpkit.internal;

import java.io.PrintWriter;
import java.io.Writer;

/**
 * Standard output as the {@code PrintWriter} picocli prints through, which also hands out the writer under it:
 * a {@code PrintWriter} swallows the {@code IOException} of a closed pipe or a full disk, and records must know.
 */
public final class StdoutWriter extends PrintWriter {

    StdoutWriter(Writer out) {
        super(out, false);
    }

    /** {@code writer}'s own stream if it is tcpkit's stdout, whose writes throw when they fail; else {@code writer}. */
    public static Writer throwingErrors(Writer writer) {
        return writer instanceof StdoutWriter s ? s.out : writer;
    }
}
