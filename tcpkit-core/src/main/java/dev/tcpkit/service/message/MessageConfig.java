package dev.tcpkit.service.message;

import dev.tcpkit.codec.Framing;
import java.nio.charset.Charset;
import java.time.Clock;

/** What every connection of one message service shares; banner and reply already encoded. */
@SuppressWarnings("ArrayRecordComponent") // the encoded texts are never mutated, only wrapped for writing
record MessageConfig(
        String service,
        Framing framing,
        int maxLine,
        Charset charset,
        byte[] banner,
        byte[] reply,
        boolean closeAfterFirst,
        boolean announce,
        Clock clock) {

    /** The rule on {@code maxLine}, and what the builder's {@code build()} says when it is broken. */
    MessageConfig {
        if (maxLine < 1) {
            throw new IllegalArgumentException("maxLine must be >= 1: " + maxLine);
        }
    }
}
