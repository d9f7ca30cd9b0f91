package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.index.EntryUsage;
import dev.cacheproxy.core.index.FileEntryStore;
import dev.cacheproxy.core.index.HotEntries;
import dev.cacheproxy.core.quota.StorageLimits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The storage's run-time parts after a restart. */
class StorageKeeperTest {
    @TempDir
    Path dir;

    @Test
    void withoutAQuota_theStartUpScanStillReadsTheIndex_soCountsAndLastUsesCoverEveryEntry() throws Exception {
        FileEntryStore entries = new FileEntryStore(dir.resolve("index"), dir.resolve("tmp"));
        // entries a previous run stored
        EntryIndex before = new EntryIndex(entries, "builds", 10, new EntryUsage(), Clock.systemUTC());
        for (int i = 0; i < 3; i++) {
            before.put(new CacheEntry("k" + i, Digest.sha256Of("body" + i), 100 + i, Map.of(), Instant.EPOCH,
                    Instant.EPOCH));
        }
        try (FileBlobStore store = FileBlobStore.open(dir.resolve("data"))) {
            StorageLimits noQuota = new StorageLimits(0, StorageLimits.DEFAULT_HIGH_WATERMARK,
                    StorageLimits.DEFAULT_LOW_WATERMARK, 0);
            StorageKeeper keeper = new StorageKeeper(store, entries, noQuota, HotEntries.DEFAULT_BYTES,
                    Clock.systemUTC(), CacheEvents.NONE, "file");
            try {
                keeper.start();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (!keeper.usage().complete() && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
                assertTrue(keeper.usage().complete(), "the scan ran without a quota (hosted retention needs it)");
                assertEquals(new EntryUsage.Held(3, 303), keeper.held("builds"));
                assertTrue(keeper.usage().lastUsed("builds", "k1") > 0, "each entry's last use is known");
            } finally {
                keeper.close();
            }
        }
    }
}
