package dev.cacheproxy.core.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.digest.Digest;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HotEntriesTest {
    private static CacheEntry entry(String key, Map<String, String> headers) {
        return new CacheEntry(key, Digest.sha256Of(key), 10, headers, Instant.EPOCH, Instant.EPOCH);
    }

    @Test
    void instancesShareTheBudget_butNotTheirKeys() {
        HotEntries hot = HotEntries.ofBytes(1 << 20);
        CacheEntry e = entry("a/b", Map.of());
        hot.put("npm", "a/b", Optional.of(e));
        hot.put("maven", "a/b", Optional.empty());
        assertEquals(Optional.of(e), hot.get("npm", "a/b"));
        assertEquals(Optional.empty(), hot.get("maven", "a/b"), "maven knows the key as absent");
        assertNull(hot.get("pypi", "a/b"), "an instance that never asked holds nothing");
    }

    @Test
    void theBudgetIsInBytes_acrossInstances() {
        long budget = 1 << 20;
        HotEntries hot = HotEntries.ofBytes(budget);
        Map<String, String> headers = Map.of("content-type", "application/octet-stream", "etag", "\"abcdef0123\"");
        for (int i = 0; i < 20_000; i++) {
            String key = "pkg-" + i + "/file-" + i + ".tgz";
            hot.put(i % 2 == 0 ? "npm" : "maven", key, Optional.of(entry(key, headers)));
        }
        hot.cleanUp();
        assertTrue(hot.weightedSize() <= budget, hot.weightedSize() + " bytes held over a budget of " + budget);
        int one = HotEntries.weigh("pkg-1/file-1.tgz", Optional.of(entry("pkg-1/file-1.tgz", headers)));
        assertTrue(hot.weightedSize() > budget - 2L * one, "filled to its budget: " + hot.weightedSize());
    }

    @Test
    void anEntryWeighsMoreThanAnAbsence_andMoreWithItsHeaders() {
        int absent = HotEntries.weigh("k", Optional.empty());
        int bare = HotEntries.weigh("k", Optional.of(entry("k", Map.of())));
        int withHeaders = HotEntries.weigh("k", Optional.of(entry("k", Map.of("content-type", "text/plain"))));
        assertTrue(absent < bare && bare < withHeaders, absent + " < " + bare + " < " + withHeaders);
        assertTrue(HotEntries.weigh("a-longer-key", Optional.empty()) > absent);
    }
}
