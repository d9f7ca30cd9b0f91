package dev.cacheproxy.core.upstream;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The health of one upstream base as its requests show it: an error rate over one-second buckets and a
 * latency EWMA, turned into a state and a weight (the Go project's table, anchor-behaviour §2.10).
 * Weights only order the candidates of a request. An open upstream gets one canary request once
 * {@code canary_cooldown} has passed since it opened, even while another upstream works (the Go
 * project re-admits it only through an active probe, so a recovered primary of a file instance was
 * never used again).
 *
 * <p>Thread-safe: requests of many threads record into it; every method is synchronized (a few
 * arithmetic operations each).
 */
public final class UpstreamHealth {
    /** The breaker's states, in the words of the metrics and the log. */
    public enum State {
        CLOSED("closed"), DEGRADED("degraded"), OPEN("open"), HALF_OPEN("half-open");

        private final String label;

        State(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** A change of state, for the log and the metrics. */
    public record Transition(State from, State to) {
        public String event() {
            return from.label() + "->" + to.label();
        }
    }

    /**
     * When the upstream last answered and last failed, and how it failed (status pages: the circuit says how
     * it is doing now, these say since when). {@code null} where it has not happened yet.
     */
    public record LastOutcomes(Instant lastSuccess, Instant lastFailure, String lastError) {
        static final LastOutcomes NONE = new LastOutcomes(null, null, null);
    }

    private final HealthSettings settings;
    private final long[] bucketSecond;
    private final int[] successes;
    private final int[] failures;
    private final AtomicBoolean canaryInFlight = new AtomicBoolean();
    private State state = State.CLOSED;
    private double latencyMillis = -1;
    private long openedAtNanos;
    private int consecutiveSuccesses;
    private LastOutcomes last = LastOutcomes.NONE;

    public UpstreamHealth(HealthSettings settings) {
        this.settings = settings;
        int n = settings.buckets();
        this.bucketSecond = new long[n];
        this.successes = new int[n];
        this.failures = new int[n];
    }

    public synchronized State state() {
        return state;
    }

    /** This upstream's place in the order of candidates: 0 while open, up to 1 when healthy. */
    public synchronized double weight(long nowNanos) {
        return switch (state) {
            case OPEN -> 0;
            case HALF_OPEN -> Math.min(HealthSettings.HALF_OPEN_CAP, settings.canaryStep() * consecutiveSuccesses);
            case CLOSED -> latencyWeight();
            case DEGRADED -> Math.max(settings.minWeight(), latencyWeight() * errorWeight(nowNanos));
        };
    }

    /**
     * Whether a request may be sent to this upstream now as its canary, ahead of healthier ones: an open
     * upstream once {@code canary_cooldown} has passed since it opened, a half-open one at any time (its
     * weight alone would leave it behind every healthy upstream, never to close again); one canary at a
     * time. The caller reports the outcome with {@link #record} and then calls {@link #canaryDone()}.
     */
    public synchronized boolean takeCanary(long nowNanos) {
        boolean due = state == State.HALF_OPEN
                || state == State.OPEN && nowNanos - openedAtNanos >= settings.canaryCooldown().toNanos();
        return due && canaryInFlight.compareAndSet(false, true);
    }

    /**
     * Remembers one outcome with its wall-clock time: a success when {@code error} is null, else a failure
     * described by {@code error} (a status or a transport error; never a URL with credentials).
     */
    public synchronized void remember(String error, Instant at) {
        last = error == null ? new LastOutcomes(at, last.lastFailure(), last.lastError())
                : new LastOutcomes(last.lastSuccess(), at, error);
    }

    public synchronized LastOutcomes lastOutcomes() {
        return last;
    }

    public void canaryDone() {
        canaryInFlight.set(false);
    }

    /** Records one request's outcome; returns the change of state it caused, if any. */
    public synchronized Optional<Transition> record(boolean success, long latencyNanos, long nowNanos) {
        int i = bucket(nowNanos);
        if (success) {
            successes[i]++;
            double ms = latencyNanos / 1e6;
            latencyMillis = latencyMillis < 0 ? ms : HealthSettings.LATENCY_ALPHA * ms
                    + (1 - HealthSettings.LATENCY_ALPHA) * latencyMillis;
        } else {
            failures[i]++;
        }
        State before = state;
        state = next(success, nowNanos);
        if (state == State.OPEN && before != State.OPEN) {
            openedAtNanos = nowNanos;
        }
        if (state == State.OPEN && before == State.OPEN && !success) {
            openedAtNanos = nowNanos; // a failed canary: wait a whole cooldown again
        }
        return before == state ? Optional.empty() : Optional.of(new Transition(before, state));
    }

    private State next(boolean success, long nowNanos) {
        switch (state) {
            case OPEN -> {
                if (!success) {
                    return State.OPEN;
                }
                consecutiveSuccesses = 1;
                clearWindow(); // the failures that opened it are history once it answers again
                return State.HALF_OPEN;
            }
            case HALF_OPEN -> {
                if (!success) {
                    consecutiveSuccesses = 0;
                    return State.OPEN;
                }
                consecutiveSuccesses++;
                boolean capped = settings.canaryStep() * consecutiveSuccesses >= HealthSettings.HALF_OPEN_CAP;
                return capped && consecutiveSuccesses >= HealthSettings.CLOSE_AFTER ? State.CLOSED : State.HALF_OPEN;
            }
            default -> {
                long[] counts = counts(nowNanos);
                long total = counts[0] + counts[1];
                double rate = total == 0 ? 0 : (double) counts[1] / total;
                if (total >= HealthSettings.MIN_SAMPLES && rate >= settings.tripRate()) {
                    consecutiveSuccesses = 0;
                    return State.OPEN;
                }
                boolean slow = total >= HealthSettings.MIN_SAMPLES
                        && latencyMillis > settings.degradeLatency().toMillis();
                boolean erring = total >= HealthSettings.MIN_SAMPLES && rate > settings.degradeRate();
                return slow || erring ? State.DEGRADED : State.CLOSED;
            }
        }
    }

    private double latencyWeight() {
        double limit = settings.degradeLatency().toMillis();
        return latencyMillis > limit ? Math.max(settings.minWeight(), limit / latencyMillis) : 1;
    }

    /** 1 at {@code degrade_rate}, falling linearly to {@code min_weight} at {@code trip_rate}. */
    private double errorWeight(long nowNanos) {
        long[] counts = counts(nowNanos);
        long total = counts[0] + counts[1];
        if (total < HealthSettings.MIN_SAMPLES) {
            return 1;
        }
        double rate = (double) counts[1] / total;
        if (rate <= settings.degradeRate()) {
            return 1;
        }
        double span = settings.tripRate() - settings.degradeRate();
        double t = Math.min(1, (rate - settings.degradeRate()) / span);
        return 1 - t * (1 - settings.minWeight());
    }

    private int bucket(long nowNanos) {
        long second = Math.floorDiv(nowNanos, 1_000_000_000L);
        int i = (int) Math.floorMod(second, (long) bucketSecond.length);
        if (bucketSecond[i] != second) {
            bucketSecond[i] = second;
            successes[i] = 0;
            failures[i] = 0;
        }
        return i;
    }

    /** Successes and failures in the window ending now. */
    private long[] counts(long nowNanos) {
        long second = Math.floorDiv(nowNanos, 1_000_000_000L);
        long ok = 0;
        long bad = 0;
        for (int i = 0; i < bucketSecond.length; i++) {
            if (second - bucketSecond[i] < bucketSecond.length && bucketSecond[i] <= second) {
                ok += successes[i];
                bad += failures[i];
            }
        }
        return new long[] {ok, bad};
    }

    private void clearWindow() {
        java.util.Arrays.fill(successes, 0);
        java.util.Arrays.fill(failures, 0);
    }
}
