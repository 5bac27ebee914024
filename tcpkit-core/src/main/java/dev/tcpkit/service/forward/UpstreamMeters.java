package dev.tcpkit.service.forward;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * One upstream's counts: connects, failed connects by reason, and bytes each way. Added to on every event loop (each
 * relay holds its upstream's meters, so counting a read is one add, no lookup), read when {@code /metrics} is
 * scraped.
 */
final class UpstreamMeters {
    /** Why a connect failed, as the {@code reason} label says it: a closed set, so the label stays small. */
    enum Failure {
        REFUSED,
        TIMEOUT,
        UNREACHABLE,
        UNKNOWN_HOST,
        /** Connected, but the TLS handshake failed. */
        TLS,
        OTHER;

        final String word = name().toLowerCase(Locale.ROOT).replace('_', '-');

        /** The failure that a reason from {@code Errors.connectReason} or {@code UpstreamPipeline.failure} names. */
        static Failure of(String reason) {
            if (reason.startsWith("tls:")) {
                return TLS;
            }
            if (reason.startsWith("timed out")) {
                return TIMEOUT;
            }
            if (reason.contains("refused")) {
                return REFUSED;
            }
            if (reason.contains("unreachable") || reason.contains("no route")) {
                return UNREACHABLE;
            }
            return reason.equals("unknown host") ? UNKNOWN_HOST : OTHER;
        }
    }

    final LongAdder connects = new LongAdder();
    /** Bytes written to the upstream: what its clients sent. */
    final LongAdder sent = new LongAdder();
    /** Bytes read from the upstream: what its clients were sent. */
    final LongAdder received = new LongAdder();

    /** Every failure's count from the start (a failed connect is rare: the lookup costs nothing that matters). */
    private final Map<Failure, LongAdder> failures = new EnumMap<>(Failure.class);

    UpstreamMeters() {
        for (Failure failure : Failure.values()) {
            failures.put(failure, new LongAdder());
        }
    }

    void failed(String reason) {
        failures(Failure.of(reason)).increment();
    }

    LongAdder failures(Failure failure) {
        return Objects.requireNonNull(failures.get(failure));
    }

    /** Registers these counts, labelled {@code upstream="host:port"}. */
    void bindTo(MeterRegistry registry, String upstream) {
        Tags tags = Tags.of("upstream", upstream);
        FunctionCounter.builder("tcpkit.forward.upstream.connects", connects, LongAdder::sum)
                .description("Connections made to an upstream")
                .tags(tags)
                .register(registry);
        for (Failure failure : Failure.values()) {
            FunctionCounter.builder("tcpkit.forward.upstream.connect.failures", failures(failure), LongAdder::sum)
                    .description("Connects to an upstream that failed, by reason")
                    .tags(tags.and("reason", failure.word))
                    .register(registry);
        }
        bytes(registry, tags, "sent", sent);
        bytes(registry, tags, "received", received);
    }

    private static void bytes(MeterRegistry registry, Tags tags, String direction, LongAdder n) {
        FunctionCounter.builder("tcpkit.forward.upstream.bytes", n, LongAdder::sum)
                .description("Bytes sent to an upstream and received from it")
                .baseUnit("bytes")
                .tags(tags.and("direction", direction))
                .register(registry);
    }
}
