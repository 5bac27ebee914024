/**
 * What a server counts: the fate of every connection ({@link dev.tcpkit.stats.ServerCounters}) and each open
 * connection's traffic ({@link dev.tcpkit.stats.ConnectionRegistry}), counted on the event loops and read from any
 * thread by the admin endpoint and {@code /metrics}.
 */
@NullMarked
package dev.tcpkit.stats;

import org.jspecify.annotations.NullMarked;
