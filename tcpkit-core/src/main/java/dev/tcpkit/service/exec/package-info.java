/**
 * The exec service: each admitted connection runs a program (inetd, UCSPI {@code tcpserver}), its stdin fed from the
 * connection and its stdout sent back, with backpressure through the pipes both ways.
 */
@NullMarked
package dev.tcpkit.service.exec;

import org.jspecify.annotations.NullMarked;
