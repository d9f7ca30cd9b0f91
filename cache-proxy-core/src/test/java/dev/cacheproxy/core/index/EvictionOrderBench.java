package dev.cacheproxy.core.index;

import dev.cacheproxy.core.digest.Digest;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * What the size quota costs in memory and CPU at N entries (bench/s3.sh runs it with 100,000): the table
 * filled as the start-up scan fills it, then, five times, the oldest batch the quota asks for (the whole table
 * sorted) and the bookkeeping of evicting the oldest 15 % in such batches (85 % is the default low watermark). The disk work of an
 * eviction is one unlink per entry file and per freed blob, not measured here. Prints one line.
 */
public final class EvictionOrderBench {
    /** As the quota's QuotaEnforcer.BATCH. */
    private static final int BATCH = 25_000;

    private EvictionOrderBench() {}

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        Random random = new Random(1);
        long[] orderNanos = new long[5];
        long[] evictNanos = new long[5];
        long heapBefore = usedHeap();
        EntryUsage usage = null;
        for (int run = 0; run < orderNanos.length; run++) {
            usage = new EntryUsage();
            for (int i = 0; i < n; i++) {
                String key = "pkg-" + i + "/-/pkg-" + i + "-1.0." + (i % 97) + ".tgz";
                Digest blob = Digest.sha256Of(key);
                usage.loaded(i % 4 == 0 ? "npm" : "maven", new CacheEntry(key, blob, 1024 + i % 8192, Map.of(),
                        Instant.EPOCH, Instant.EPOCH), random.nextLong(1_000_000_000L));
            }
            usage.scanned();
            long t = System.nanoTime();
            List<EntryUsage.Candidate> order = usage.leastRecentlyUsed(Long.MAX_VALUE, BATCH);
            orderNanos[run] = System.nanoTime() - t;
            t = System.nanoTime();
            int evict = n * 15 / 100;
            for (int done = 0; done < evict; ) {
                for (EntryUsage.Candidate c : usage.leastRecentlyUsed(Long.MAX_VALUE, Math.min(BATCH, evict - done))) {
                    usage.removedNamed(c.instance(), c.name());
                    usage.referenced(c.blob());
                    done++;
                }
            }
            evictNanos[run] = System.nanoTime() - t;
        }
        long heap = usedHeap() - heapBefore;
        System.out.printf("%d entries: oldest batch %.1f ms, evicting the oldest 15%% %.1f ms (medians of 5); "
                + "table about %d bytes per entry (%d entries left)%n", n, median(orderNanos) / 1e6,
                median(evictNanos) / 1e6, Math.max(0, heap) / Math.max(1, usage.size()), usage.size());
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
