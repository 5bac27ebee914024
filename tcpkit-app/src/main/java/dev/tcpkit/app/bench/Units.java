package dev.tcpkit.app.bench;

import java.util.Locale;

/** How the reports write latencies and sizes: three significant digits, in the unit that fits. */
final class Units {
    private Units() {}

    /** {@code 812ns}, {@code 53.1µs}, {@code 1.02ms}, {@code 2.50s}. */
    static String latency(double nanos) {
        if (nanos < 1e3) {
            return String.format(Locale.ROOT, "%.0fns", nanos);
        }
        if (nanos < 1e6) {
            return significant(nanos / 1e3) + "µs";
        }
        if (nanos < 1e9) {
            return significant(nanos / 1e6) + "ms";
        }
        return significant(nanos / 1e9) + "s";
    }

    /** Megabytes (10^6 bytes) with one decimal. */
    static String megabytes(double bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1e6);
    }

    /** {@code 64 B}, {@code 4 KiB}, {@code 1 MiB}, {@code 1500 B}. */
    static String size(long bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1 << 10 && bytes % (1 << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " B";
    }

    private static String significant(double v) {
        return String.format(Locale.ROOT, v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
    }
}
