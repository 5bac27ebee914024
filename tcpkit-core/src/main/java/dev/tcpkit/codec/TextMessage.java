package dev.tcpkit.codec;

/**
 * One message decoded to text: a read ({@link Framing#RAW}) or a line without its terminator ({@link Framing#LINE}).
 *
 * @param text the decoded text, invalid bytes as U+FFFD
 * @param bytes how many bytes it had on the wire (with raw framing, including the first bytes of a character that a
 *     previous read split off)
 */
public record TextMessage(String text, int bytes) {}
