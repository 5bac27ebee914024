/**
 * The load generator behind {@code tcpkit bench}: connections, pacing, byte-exact verification of every echo, and
 * HdrHistogram latency, reported as text, JSON or a chart.
 */
@NullMarked
package dev.tcpkit.app.bench;

import org.jspecify.annotations.NullMarked;
