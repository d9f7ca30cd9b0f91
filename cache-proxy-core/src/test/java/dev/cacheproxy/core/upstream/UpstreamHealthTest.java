package dev.cacheproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.upstream.UpstreamHealth.State;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The breaker's state table with the Go project's defaults, on a clock the test moves. */
class UpstreamHealthTest {
    private static final long SECOND = 1_000_000_000L;
    private static final long FAST = 10_000_000L; // 10 ms
    private final UpstreamHealth h = new UpstreamHealth(HealthSettings.DEFAULTS);
    private long now = 1_000 * SECOND;

    @Test
    void errorsDegrade_thenTrip_andAnOpenUpstreamGetsOneCanaryAfterTheCooldown() {
        for (int i = 0; i < 8; i++) {
            record(true);
        }
        record(false);
        assertEquals(Optional.of(new UpstreamHealth.Transition(State.CLOSED, State.DEGRADED)), record(false),
                "2 failures in 10 samples: above degrade_rate 0.1");
        assertTrue(h.weight(now) < 1 && h.weight(now) >= 0.1, "a degraded upstream is tried after healthy ones");
        assertEquals(Optional.empty(), record(false), "3 failures in 11: still below trip_rate 0.3");
        assertEquals(Optional.of(new UpstreamHealth.Transition(State.DEGRADED, State.OPEN)), record(false),
                "4 failures in 12: past trip_rate");
        assertEquals(0, h.weight(now));
        assertFalse(h.takeCanary(now), "no traffic before canary_cooldown");
        now += 30 * SECOND;
        assertTrue(h.takeCanary(now));
        assertFalse(h.takeCanary(now), "one canary at a time");
        assertEquals(Optional.empty(), record(false), "a failed canary keeps it open");
        h.canaryDone();
        assertFalse(h.takeCanary(now), "and starts a whole cooldown again");
        now += 30 * SECOND;
        assertTrue(h.takeCanary(now));
        assertEquals(Optional.of(new UpstreamHealth.Transition(State.OPEN, State.HALF_OPEN)), record(true));
        h.canaryDone();
    }

    @Test
    void lastOutcomes_rememberTheLastSuccessAndTheLastFailureWithItsReason() {
        assertEquals(new UpstreamHealth.LastOutcomes(null, null, null), h.lastOutcomes(), "nothing happened yet");
        java.time.Instant t1 = java.time.Instant.parse("2026-11-30T10:00:00Z");
        h.remember(null, t1);
        h.remember("answered 503", t1.plusSeconds(5));
        h.remember(null, t1.plusSeconds(9));
        assertEquals(new UpstreamHealth.LastOutcomes(t1.plusSeconds(9), t1.plusSeconds(5), "answered 503"), h.lastOutcomes(),
                "a success after a failure keeps the failure's time and reason: since when it works again");
    }

    @Test
    void halfOpen_climbsByCanaryStep_closesAfterFiveSuccesses_reopensOnAFailure() {
        trip();
        now += 30 * SECOND;
        record(true);
        assertEquals(State.HALF_OPEN, h.state());
        assertEquals(0.1, h.weight(now), 1e-9);
        assertTrue(h.takeCanary(now), "a half-open upstream keeps getting its canaries");
        h.canaryDone();
        record(true);
        record(true);
        assertEquals(Optional.of(new UpstreamHealth.Transition(State.HALF_OPEN, State.OPEN)), record(false));
        now += 30 * SECOND;
        for (int i = 0; i < 4; i++) {
            record(true);
            assertEquals(State.HALF_OPEN, h.state());
        }
        assertEquals(Optional.of(new UpstreamHealth.Transition(State.HALF_OPEN, State.CLOSED)), record(true),
                "weight 0.5 reached, at least 3 successes in a row");
        assertEquals(1, h.weight(now), 1e-9);
    }

    @Test
    void slowAnswers_degrade_andFastOnesRecover() {
        for (int i = 0; i < 10; i++) {
            h.record(true, 5 * SECOND, now);
        }
        assertEquals(State.DEGRADED, h.state());
        assertEquals(0.4, h.weight(now), 0.05, "degrade_latency 2s / EWMA 5s");
        for (int i = 0; i < 10; i++) {
            h.record(true, FAST, now);
        }
        assertEquals(State.CLOSED, h.state());
    }

    @Test
    void oldFailures_leaveTheWindow() {
        for (int i = 0; i < 9; i++) {
            record(true);
        }
        record(false);
        record(false);
        assertEquals(State.DEGRADED, h.state());
        now += 121 * SECOND; // past evaluation_window (2m)
        for (int i = 0; i < 10; i++) {
            record(true);
        }
        assertEquals(State.CLOSED, h.state());
    }

    private void trip() {
        for (int i = 0; i < 10; i++) {
            record(false);
        }
        assertEquals(State.OPEN, h.state());
    }

    private Optional<UpstreamHealth.Transition> record(boolean success) {
        return h.record(success, FAST, now);
    }
}
