package dev.tcpkit.codec;

import io.netty.channel.ChannelHandler;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** How a byte stream is cut into messages. */
public enum Framing {
    /** Each read is one message, as in the socket tutorials' {@code recv(1024)}. */
    RAW,
    /** Each line is one message, without its {@code \n} or {@code \r\n}; longer than the maximum is an error. */
    LINE;

    /**
     * A new decoder that cuts the stream into this framing's messages, or {@code null} for {@link #RAW}, which needs
     * none; {@code maxLine} bounds a line in bytes.
     */
    public @Nullable ChannelHandler newDecoder(int maxLine) {
        return this == LINE ? new LineFrameDecoder(maxLine) : null;
    }

    /** The name users type: {@code raw} or {@code line}. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
