/** Framing (raw reads, lines with a mandatory maximum) and streaming charset decoding. */
@NullMarked
package dev.tcpkit.codec;

import org.jspecify.annotations.NullMarked;
