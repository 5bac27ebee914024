package dev.tcpkit.app.bench;

import dev.tcpkit.options.Transport;
import org.HdrHistogram.Histogram;

/**
 * What a run measured.
 *
 * @param config what was asked for
 * @param transport the transport used
 * @param threads event-loop threads used
 * @param established connections whose handshake completed
 * @param alive connections still open at the end
 * @param connectMillis from the first connect until the last connection was established
 * @param measuredSeconds the measured window: the duration, or until the last measured echo with a count
 * @param messages measured messages whose echo completed (connect mode: connections that echoed their message)
 * @param latency message latency in nanoseconds, of the measured messages
 * @param connectLatency time from connect to established, in nanoseconds, of every connection
 * @param errors what went wrong
 * @param stalled whether the run was cut short because no echo came for the timeout (UDP: twice the timeout)
 * @param lost datagrams not echoed within the timeout, of every one sent (UDP; not an error)
 */
public record BenchResult(
        BenchConfig config,
        Transport transport,
        int threads,
        int established,
        int alive,
        double connectMillis,
        double measuredSeconds,
        long messages,
        Histogram latency,
        Histogram connectLatency,
        ErrorCounts errors,
        boolean stalled,
        long lost) {

    /** Bytes echoed and verified in the measured messages (one direction). */
    public long bytes() {
        return messages * config.size();
    }

    public double messagesPerSecond() {
        return measuredSeconds > 0 ? messages / measuredSeconds : 0;
    }

    /** Megabytes (10^6 bytes) per second, one direction. */
    public double megabytesPerSecond() {
        return measuredSeconds > 0 ? bytes() / measuredSeconds / 1e6 : 0;
    }

    /** Whether every echo came back complete and correct, and nothing else went wrong. */
    public boolean clean() {
        return errors.total() == 0 && !stalled;
    }
}
