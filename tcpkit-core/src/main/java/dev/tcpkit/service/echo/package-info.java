/** The echo service (RFC 862): every byte back, in order, with backpressure and half-close handling. */
@NullMarked
package dev.tcpkit.service.echo;

import org.jspecify.annotations.NullMarked;
