package dev.tcpkit.codec;

import io.netty.channel.ChannelPipeline;
import java.util.Locale;

/** How a byte stream is cut into messages. */
public enum Framing {
    /** Each read is one message, as in the socket tutorials' {@code recv(1024)}. */
    RAW,
    /** Each line is one message, without its {@code \n} or {@code \r\n}; longer than the maximum is an error. */
    LINE;

    /** Adds the decoder for this framing to {@code pipeline}; {@code maxLine} bounds a line in bytes. */
    public void addTo(ChannelPipeline pipeline, int maxLine) {
        if (this == LINE) {
            pipeline.addLast("framing", new LineFrameDecoder(maxLine));
        }
    }

    /** The name users type: {@code raw} or {@code line}. */
    public String displayName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
