/**
 * The {@code reply} and {@code log} services: print every message with the client's address, optionally answer
 * it; {@code reply} also sends a banner and closes after the first message unless told to keep the connection open.
 */
@NullMarked
package dev.tcpkit.service.message;

import org.jspecify.annotations.NullMarked;
