/**
 * The choices an embedder makes when building a server (the transport, the TLS provider) and the failures those
 * choices can meet when it starts; every layer shares these types, so this package imports nothing of ours.
 */
@NullMarked
package dev.tcpkit.options;

import org.jspecify.annotations.NullMarked;
