package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.HotEntries;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Checks {@link HotEntries#weigh}'s estimate against the heap: N entries shaped like a file or maven
 * instance's (a path key, content-type, etag, last-modified), held in a hot index large enough for all of
 * them, first as stored, then once each has been hit (the replayed headers and their wire form built, as
 * the server's hit path builds them). Prints the measured and estimated bytes per entry. Run it with a
 * fixed heap and Serial GC so that the used heap after a full GC is the live set:
 * {@code java -XX:+UseSerialGC -Xmx1g -cp <test classpath> dev.cacheproxy.server.netty.HotEntriesBench 100000}.
 */
public final class HotEntriesBench {
    private HotEntriesBench() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        HotEntries hot = HotEntries.ofBytes(Long.MAX_VALUE / 2);
        CacheEntry[] entries = new CacheEntry[n];
        long base = usedHeap();
        long estimate = 0;
        Instant now = Instant.parse("2026-11-30T19:00:00Z");
        for (int i = 0; i < n; i++) {
            String key = "org/example/lib-" + i + "/1." + (i % 50) + ".0/lib-" + i + "-1." + (i % 50) + ".0.jar";
            CacheEntry e = new CacheEntry(key, Digest.sha256Of(key), 1024 + i, Map.of(
                    "content-type", "application/java-archive",
                    "etag", "\"" + Integer.toHexString(i * 7919) + "-5f3c1a2b\"",
                    "last-modified", "Mon, 30 Nov 2026 19:00:00 GMT"), now.minusSeconds(i), now);
            entries[i] = e;
            hot.put("maven", key, Optional.of(e));
            estimate += HotEntries.weigh(key, Optional.of(e));
        }
        long stored = usedHeap() - base;
        for (CacheEntry e : entries) {
            Headers replayed = e.replayed(HotEntriesBench::replay);
            replayed.derived(WireHeaders.class, WireHeaders::of);
        }
        long hit = usedHeap() - base;
        System.out.printf("%d entries: %d bytes each as stored, %d once hit; estimated %d (hot index says %d)%n", n,
                stored / n, hit / n, estimate / n, hot.weightedSize() / n);
        if (entries.length != n) {
            throw new AssertionError(); // keeps entries reachable to here
        }
    }

    /** What ResponseHeaders.replayOf builds for an entry with an etag: a copy of its headers. */
    private static Headers replay(CacheEntry e) {
        Headers.Builder b = Headers.builder();
        e.headers().forEach(b::add);
        return b.build();
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
