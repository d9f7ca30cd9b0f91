package dev.cacheproxy.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.digest.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    @Test
    void leastRecentlyUsed_givesTheOldestFirst_atMostAsManyAsAsked_andKnowsBlobsSharedAcrossInstances() {
        for (int i = 0; i < 50; i++) {
            usage.stored(i % 2 == 0 ? "npm" : "files", entry("k" + i, "body" + (i % 10), i), 1_000_000L - i * 1000L);
        }
        List<EntryUsage.Candidate> oldest = usage.leastRecentlyUsed(Long.MAX_VALUE, 5);
        assertEquals(5, oldest.size());
        for (int j = 0; j < 5; j++) {
            int i = 49 - j;
            EntryUsage.Candidate c = oldest.get(j);
            assertEquals(new EntryUsage.Candidate(i % 2 == 0 ? "npm" : "files", EntryIndex.nameOf("k" + i),
                    Digest.sha256Of("body" + (i % 10)), i, 1_000_000L - i * 1000L), c);
        }
        assertEquals(10, usage.leastRecentlyUsed(1_000_000L - 39_000L).size(), "only those used before the cut-off");

        // body0 is held by k0, k10, k20, k30, k40 (npm): freed with the last of them only
        for (int i = 0; i < 40; i += 10) {
            assertEquals(Optional.empty(), usage.removed("npm", "k" + i));
            assertTrue(usage.referenced(Digest.sha256Of("body0")));
        }
        assertEquals(Optional.of(Digest.sha256Of("body0")), usage.removedNamed("npm", EntryIndex.nameOf("k40")));
        assertFalse(usage.referenced(Digest.sha256Of("body0")));
        assertEquals(45, usage.size());
    }

    @Test
    void used_movesAnEntryBackInTheOrder_andUnflushedUsesAreListedByName() {
        CacheEntry a = entry("a", "A", 1);
        CacheEntry b = entry("b", "B", 1);
        usage.stored("npm", a, 10);
        usage.stored("npm", b, 20);
        assertEquals(List.of(), usage.unflushed(), "a stored entry's file says its use already");
        usage.used("npm", a, 30);
        usage.used("npm", entry("a", "A", 1), 25); // an older use (another copy of the entry) changes nothing
        assertEquals(List.of(EntryIndex.nameOf("b"), EntryIndex.nameOf("a")),
                usage.leastRecentlyUsed(Long.MAX_VALUE).stream().map(EntryUsage.Candidate::name).toList());
        assertEquals(List.of(new EntryUsage.Unflushed("npm", EntryIndex.nameOf("a"), 30)), usage.unflushed());
        usage.flushed("npm", EntryIndex.nameOf("a"), 30);
        assertEquals(List.of(), usage.unflushed());
        assertEquals(30, usage.lastUsed("npm", "a"));
        assertEquals(0, usage.lastUsed("files", "a"), "another instance's key");
    }

    @Test
    void anEntryRemovedWhileTheScanRuns_isNotBroughtBackByIt() {
        usage.stored("npm", entry("a", "A", 1), 10);
        usage.removed("npm", "a");
        usage.loaded("npm", entry("a", "A", 1), 5);
        usage.loaded("npm", entry("b", "B", 1), 5);
        usage.scanned();
        assertEquals(new EntryUsage.Held(1, 1), usage.held("npm"));
        assertFalse(usage.referenced(Digest.sha256Of("A")));
    }

    private static CacheEntry entry(String key, String body, long size) {
        return new CacheEntry(key, Digest.sha256Of(body), size, Map.of(), Instant.EPOCH, Instant.EPOCH);
    }
}
