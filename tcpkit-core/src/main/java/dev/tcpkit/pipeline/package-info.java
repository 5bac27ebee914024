/**
 * The pipeline of every accepted connection: the one class that assembles it, in order, and names its stages. The
 * services build on it; it builds on admission ({@code guard}), TLS ({@code security}), codecs and accounting.
 */
@NullMarked
package dev.tcpkit.pipeline;

import org.jspecify.annotations.NullMarked;
