package dev.tcpkit.output;

/**
 * One message received from a client.
 *
 * @param timeMillis when it was read, in milliseconds since the epoch
 * @param client the client's address, {@code host:port}
 * @param text the message decoded to text (invalid bytes as U+FFFD)
 * @param bytes how many bytes the message had on the wire
 */
public record MessageRecord(long timeMillis, String client, String text, int bytes) {}
