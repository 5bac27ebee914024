/**
 * Where records go beside stdout and {@code --output}: {@link dev.tcpkit.sink.RecordSink}, which the optional
 * {@code tcpkit-kafka} module implements for Kafka.
 */
@NullMarked
package dev.tcpkit.sink;

import org.jspecify.annotations.NullMarked;
