package dev.cacheproxy.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.core.digest.Digest;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What each instance's entries hold, as the status page reports it, through stores, replacements and removals. */
class EntryUsageTest {
    private final EntryUsage usage = new EntryUsage();

    @Test
    void held_countsEachInstancesEntriesAndBytes_throughReplacementRemovalAndTheStartUpScan() {
        usage.stored("npm", entry("a", "A", 100), 1);
        usage.stored("npm", entry("b", "B", 50), 2);
        usage.stored("files", entry("x", "A", 100), 3);
        assertEquals(new EntryUsage.Held(2, 150), usage.held("npm"));
        assertEquals(new EntryUsage.Held(1, 100), usage.held("files"), "a shared blob counts in each instance");

        usage.stored("npm", entry("a", "C", 70), 4);
        assertEquals(new EntryUsage.Held(2, 120), usage.held("npm"), "a replaced entry is counted once, at its new size");
        usage.removed("npm", "b");
        usage.removed("npm", "gone-already");
        assertEquals(new EntryUsage.Held(1, 70), usage.held("npm"));

        usage.loaded("files", entry("y", "D", 5), 0);
        usage.loaded("files", entry("x", "A", 100), 0);
        assertEquals(new EntryUsage.Held(2, 105), usage.held("files"), "the scan adds what it finds, once");
        assertEquals(new EntryUsage.Held(0, 0), usage.held("unknown"));
    }

    private static CacheEntry entry(String key, String body, long size) {
        return new CacheEntry(key, Digest.sha256Of(body), size, Map.of(), Instant.EPOCH, Instant.EPOCH);
    }
}
