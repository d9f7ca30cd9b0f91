package dev.cacheproxy.core.cache;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.cacheproxy.core.cache.FreshnessDecision.Decision;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.index.CacheEntry;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decision table: no I/O, no clock, every row one assertion. */
class FreshnessDecisionTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final CacheEntry ENTRY = new CacheEntry("k", Digest.sha256("0".repeat(64)), 1, Map.of(), T0, T0);

    private static CacheRule rule(CachePolicy p, Freshness f, BusyPolicy b) {
        return new CacheRule(p, f, b, Expiration.after(Duration.ofHours(1)));
    }

    private static Decision decide(Duration age, Optional<CacheEntry> e, CacheRule r, boolean inFlight) {
        return FreshnessDecision.decide(T0.plus(age), e, r, inFlight);
    }

    @Test
    void bypass_alwaysBypasses() {
        assertInstanceOf(Decision.Bypass.class,
                decide(Duration.ZERO, Optional.of(ENTRY), rule(CachePolicy.BYPASS, Freshness.FOREVER, BusyPolicy.BYPASS), false));
    }

    @Test
    void nothingStored_fetches() {
        assertInstanceOf(Decision.Fetch.class,
                decide(Duration.ZERO, Optional.empty(), rule(CachePolicy.IMMUTABLE, Freshness.NONE, BusyPolicy.BYPASS), false));
    }

    @Test
    void immutable_servesEvenWhenNotFresh() {
        assertInstanceOf(Decision.Serve.class,
                decide(Duration.ofMinutes(59), Optional.of(ENTRY), rule(CachePolicy.IMMUTABLE, Freshness.NONE, BusyPolicy.BYPASS), false));
    }

    @Test
    void expired_fetchesWhateverThePolicy() {
        assertInstanceOf(Decision.Fetch.class,
                decide(Duration.ofHours(1), Optional.of(ENTRY), rule(CachePolicy.IMMUTABLE, Freshness.FOREVER, BusyPolicy.STALE), false));
    }

    @Test
    void revalidate_fresh_serves() {
        assertInstanceOf(Decision.Serve.class, decide(Duration.ofSeconds(59), Optional.of(ENTRY),
                rule(CachePolicy.REVALIDATE, Freshness.of(Duration.ofMinutes(1)), BusyPolicy.BYPASS), false));
    }

    @Test
    void revalidate_stale_revalidates() {
        assertInstanceOf(Decision.Revalidate.class, decide(Duration.ofSeconds(60), Optional.of(ENTRY),
                rule(CachePolicy.REVALIDATE, Freshness.of(Duration.ofMinutes(1)), BusyPolicy.BYPASS), false));
    }

    @Test
    void revalidate_unsetFreshness_revalidatesEveryTime() {
        assertInstanceOf(Decision.Revalidate.class, decide(Duration.ZERO, Optional.of(ENTRY),
                rule(CachePolicy.REVALIDATE, Freshness.NONE, BusyPolicy.BYPASS), false));
    }

    @Test
    void revalidate_staleWithRefreshInFlight_busyStale_servesStale() {
        assertInstanceOf(Decision.ServeStale.class, decide(Duration.ofMinutes(2), Optional.of(ENTRY),
                rule(CachePolicy.REVALIDATE, Freshness.of(Duration.ofMinutes(1)), BusyPolicy.STALE), true));
    }

    @Test
    void revalidate_staleWithRefreshInFlight_busyBypass_joinsTheRefresh() {
        assertInstanceOf(Decision.Revalidate.class, decide(Duration.ofMinutes(2), Optional.of(ENTRY),
                rule(CachePolicy.REVALIDATE, Freshness.of(Duration.ofMinutes(1)), BusyPolicy.BYPASS), true));
    }

    @Test
    void revalidate_forever_serves() {
        assertInstanceOf(Decision.Serve.class, decide(Duration.ofMinutes(59), Optional.of(ENTRY),
                rule(CachePolicy.REVALIDATE, Freshness.FOREVER, BusyPolicy.BYPASS), false));
    }
}
