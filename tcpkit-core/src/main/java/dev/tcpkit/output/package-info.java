/** Message records: their one-line text form for stdout, JSON Lines for {@code --output}, and the writer thread. */
@NullMarked
package dev.tcpkit.output;

import org.jspecify.annotations.NullMarked;
