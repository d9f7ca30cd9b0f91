package dev.cacheproxy.server.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The last five minutes of an instance's traffic on a clock the test moves. */
class RecentTrafficTest {
    private long now = 1_700_000_000_000L;
    private final RecentTraffic recent = new RecentTraffic(() -> now);

    @Test
    void requestsAndHitRatio_overTheLastFiveMinutes_inTenSecondBuckets() {
        recent.record("npm", "MISS");
        recent.record("npm", "HIT");
        recent.record("npm", "-");
        now += 10_000;
        recent.record("npm", "STALE");
        recent.record("files", "MISS");

        RecentTraffic.Recent r = recent.recent("npm");
        assertEquals(4, r.requests());
        assertEquals(2.0 / 3, r.hitRatio(), 1e-9, "a request the cache made no decision on is not in the ratio");
        long[] expected = new long[RecentTraffic.BUCKETS];
        expected[RecentTraffic.BUCKETS - 2] = 3;
        expected[RecentTraffic.BUCKETS - 1] = 1;
        assertArrayEquals(expected, r.perBucket(), "oldest first, the current bucket last");

        now += 290_000;
        r = recent.recent("npm");
        assertEquals(1, r.requests(), "the first bucket is five minutes old now: out of the window");
        assertEquals(1.0, r.hitRatio(), 1e-9);
        now += 10_000;
        recent.record("npm", "-");
        r = recent.recent("npm");
        assertEquals(1, r.requests(), "a reused bucket starts from zero");
        assertNull(r.hitRatio(), "no cache decision in the window: no ratio");
        assertEquals(0, recent.recent("nobody").requests());
    }
}
