/** The netcat-style client: stdin to the socket, the socket to stdout, half-close at end of input. */
@NullMarked
package dev.tcpkit.app.client;

import org.jspecify.annotations.NullMarked;
