/** TLS for servers and the client: certificates from PEM files or made at start, contexts, handshake failures. */
@NullMarked
package dev.tcpkit.security;

import org.jspecify.annotations.NullMarked;
