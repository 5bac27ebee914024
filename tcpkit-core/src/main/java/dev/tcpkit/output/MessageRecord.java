package dev.tcpkit.output;

import org.jspecify.annotations.Nullable;

/**
 * One message received from a client.
 *
 * @param timeMillis when it was read, in milliseconds since the epoch
 * @param client the client's address, {@code host:port}
 * @param name the name the client goes by (a chat client's), or {@code null}
 * @param text the message decoded to text (invalid bytes as U+FFFD)
 * @param bytes how many bytes the message had on the wire
 */
public record MessageRecord(
        long timeMillis, String client, @Nullable String name, String text, int bytes) implements OutputRecord {
    /** What a record costs beyond its text. */
    private static final int RECORD_COST = 128;

    /** A message from a client known only by its address. */
    public MessageRecord(long timeMillis, String client, String text, int bytes) {
        this(timeMillis, client, null, text, bytes);
    }

    @Override
    public long cost() {
        return RECORD_COST + 2L * text.length();
    }
}
