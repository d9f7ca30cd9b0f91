package dev.cacheproxy.core.upstream;

import java.time.Duration;

/**
 * The passive circuit breaker's tuning, {@code transport.health} with the Go project's fields and
 * defaults (anchor-behaviour §2.10): an upstream whose error rate over {@code evaluationWindow} passes
 * {@code degradeRate} (or whose latency passes {@code degradeLatency}) is tried after healthier ones; past
 * {@code tripRate} it gets no traffic until a canary request, {@code canaryCooldown} after it opened,
 * succeeds; then {@code canaryStep} per success brings it back. With {@code probes} on, modes that name
 * probe targets (the Linux repositories) have them probed every {@code probeInterval} ({@link UpstreamProber}).
 */
public record HealthSettings(double degradeRate, double tripRate, Duration evaluationWindow, Duration degradeLatency,
        double minWeight, Duration canaryCooldown, double canaryStep, boolean probes, Duration probeInterval,
        Duration probeTimeout) {
    public static final HealthSettings DEFAULTS = new HealthSettings(0.1, 0.3, Duration.ofMinutes(2),
            Duration.ofSeconds(2), 0.1, Duration.ofSeconds(30), 0.1, true, Duration.ofMinutes(2), Duration.ofSeconds(5));

    /** Failures and successes needed in the window before the error rate counts. */
    static final int MIN_SAMPLES = 10;
    /** Consecutive successes a half-open upstream needs, once its weight reached {@link #HALF_OPEN_CAP}. */
    static final int CLOSE_AFTER = 3;
    static final double HALF_OPEN_CAP = 0.5;
    static final double LATENCY_ALPHA = 0.2;

    /** The window in one-second buckets, clamped to 10–600 as in the Go project. */
    int buckets() {
        return (int) Math.max(10, Math.min(600, evaluationWindow.toSeconds()));
    }
}
