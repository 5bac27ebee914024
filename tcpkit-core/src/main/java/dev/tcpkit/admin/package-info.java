/**
 * The admin endpoint of a server: a live status page, JSON views of its connections and statistics, Prometheus
 * {@code /metrics}, and closing a connection, over HTTP on an event loop of its own.
 */
@NullMarked
package dev.tcpkit.admin;

import org.jspecify.annotations.NullMarked;
