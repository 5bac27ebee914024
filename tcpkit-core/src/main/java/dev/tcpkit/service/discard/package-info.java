/** The discard service (RFC 863): reads and drops everything; a sink for load tests. */
@NullMarked
package dev.tcpkit.service.discard;

import org.jspecify.annotations.NullMarked;
