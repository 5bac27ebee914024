/**
 * The bottom layer every other package may use and that uses none of them: a connection ({@link
 * dev.tcpkit.connection.Connection}) and who it is from ({@link dev.tcpkit.connection.ClientAddress}), the registry of
 * open ones, the fate of every connection ({@link dev.tcpkit.connection.ServerCounters}), and the one place that cuts
 * a connection for breaking a limit ({@link dev.tcpkit.connection.Cuts}). Counted on the event loops, read from any
 * thread by the admin endpoint and {@code /metrics}.
 */
@NullMarked
package dev.tcpkit.connection;

import org.jspecify.annotations.NullMarked;
