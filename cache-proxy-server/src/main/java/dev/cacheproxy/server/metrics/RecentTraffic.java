package dev.cacheproxy.server.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Each instance's requests and cache results over the last five minutes, in thirty 10-second buckets: the
 * "now" of the status page and the dashboard's sparkline (counters since start say how the cache has done,
 * not how it is doing). Prometheus computes the same from the counters with {@code rate()}; this is for
 * operators without one.
 *
 * <p>Recorded once per request on the event loops: a map lookup and a few increments under the window's
 * own monitor, which the two loops rarely contend for.
 */
public final class RecentTraffic {
    /** Buckets in the window. */
    public static final int BUCKETS = 30;
    /** The width of one bucket. */
    public static final long BUCKET_MILLIS = 10_000;

    private final Map<String, Window> windows = new ConcurrentHashMap<>();
    private final LongSupplier millis;

    public RecentTraffic() {
        this(System::currentTimeMillis);
    }

    /** @param millis the wall clock in milliseconds (tests move it) */
    public RecentTraffic(LongSupplier millis) {
        this.millis = millis;
    }

    /**
     * One of the instance's requests, with its {@code X-Cache} result ({@code -} when the cache made no
     * decision: a proxied or refused request).
     */
    public void record(String instance, String cache) {
        windows.computeIfAbsent(instance, k -> new Window()).add(millis.getAsLong() / BUCKET_MILLIS, cache);
    }

    /**
     * The last five minutes of one instance.
     *
     * @param requests every request
     * @param hitRatio answered from the store among the requests the cache decided; null when it decided none
     * @param perBucket requests per 10-second bucket, oldest first, the current (partial) bucket last
     */
    public record Recent(long requests, Double hitRatio, long[] perBucket) {}

    public Recent recent(String instance) {
        Window w = windows.get(instance);
        return w == null ? new Recent(0, null, new long[BUCKETS]) : w.read(millis.getAsLong() / BUCKET_MILLIS);
    }

    /** Whether an {@code X-Cache} result was answered from the store (the one definition of a hit ratio's hits). */
    public static boolean fromStore(String cache) {
        return switch (cache) {
            case "HIT", "STALE", "REVALIDATED" -> true;
            default -> false;
        };
    }

    private static final class Window {
        private final long[] bucket = new long[BUCKETS];
        private final long[] requests = new long[BUCKETS];
        private final long[] decided = new long[BUCKETS];
        private final long[] stored = new long[BUCKETS];

        synchronized void add(long now, String cache) {
            int i = (int) Math.floorMod(now, (long) BUCKETS);
            if (bucket[i] != now) {
                bucket[i] = now;
                requests[i] = 0;
                decided[i] = 0;
                stored[i] = 0;
            }
            requests[i]++;
            if (!cache.equals("-")) {
                decided[i]++;
                stored[i] += fromStore(cache) ? 1 : 0;
            }
        }

        synchronized Recent read(long now) {
            long[] per = new long[BUCKETS];
            long all = 0;
            long dec = 0;
            long sto = 0;
            for (int age = 0; age < BUCKETS; age++) {
                int i = (int) Math.floorMod(now - age, (long) BUCKETS);
                if (bucket[i] == now - age) {
                    per[BUCKETS - 1 - age] = requests[i];
                    all += requests[i];
                    dec += decided[i];
                    sto += stored[i];
                }
            }
            return new Recent(all, dec == 0 ? null : (double) sto / dec, per);
        }
    }
}
