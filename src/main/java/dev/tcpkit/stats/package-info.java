/** Counters of what a server's connections became: accepted, refused, denied, cut by a limit. */
@NullMarked
package dev.tcpkit.stats;

import org.jspecify.annotations.NullMarked;
