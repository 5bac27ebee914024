/**
 * The forward service: a TCP relay joining each admitted connection to a new connection to one of its upstreams,
 * bytes passed on unchanged both ways, with backpressure, half-close and reset passed on.
 */
@NullMarked
package dev.tcpkit.service.forward;

import org.jspecify.annotations.NullMarked;
