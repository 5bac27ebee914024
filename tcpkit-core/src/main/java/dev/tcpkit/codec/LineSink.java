package dev.tcpkit.codec;

import io.netty.buffer.ByteBuf;

/**
 * Takes each line where {@link LineFrameDecoder} found it, instead of a slice of it passed down the pipeline: for a
 * service that only copies its lines, a slice, a pipeline event and a release per line cost more than the line.
 */
@FunctionalInterface
public interface LineSink {
    /**
     * One line: {@code length} bytes of {@code buffer} from {@code index}, without terminator. Read them before
     * returning; the buffer is not the sink's to keep, release or move.
     */
    void line(ByteBuf buffer, int index, int length);
}
