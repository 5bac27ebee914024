package dev.tcpkit.app.bench;

/**
 * When traffic starts and what is measured, handed to every event loop when all connections are open. Times are
 * {@link System#nanoTime()} values; {@link Long#MAX_VALUE} means never.
 *
 * @param start when traffic starts (the warmup begins)
 * @param measureStart messages sent from here on are measured
 * @param measureEnd no new message is sent from here on (in open loop: none scheduled from here on)
 * @param count messages to measure in all, shared out among the connections; {@code 0} = no limit
 * @param connections how many connections share the count and the rate
 * @param rate open loop: messages per second across all connections; {@code 0} = closed loop
 */
record Schedule(long start, long measureStart, long measureEnd, long count, int connections, double rate) {

    /** How many measured messages connection {@code index} sends: its share of the count, or no limit. */
    long quota(int index) {
        if (count == 0) {
            return Long.MAX_VALUE;
        }
        return count / connections + (index < count % connections ? 1 : 0);
    }

    boolean openLoop() {
        return rate > 0;
    }

    /** Nanoseconds between two messages of one connection in open loop. */
    double period() {
        return connections * 1e9 / rate;
    }

    /**
     * When connection {@code index}'s first message is due in open loop: the connections' schedules are spread
     * evenly, so that across all of them a message is due every {@code 1/rate} seconds.
     */
    long firstDue(int index) {
        return start + Math.round(index * 1e9 / rate);
    }
}
