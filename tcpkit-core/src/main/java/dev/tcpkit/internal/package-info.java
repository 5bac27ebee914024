/** Helpers shared across packages; not API. */
@NullMarked
package dev.tcpkit.internal;

import org.jspecify.annotations.NullMarked;
