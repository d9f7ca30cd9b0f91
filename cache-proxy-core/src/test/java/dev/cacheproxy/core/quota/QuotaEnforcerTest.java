package dev.cacheproxy.core.quota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.index.EntryUsage;
import dev.cacheproxy.core.index.FileEntryStore;
import dev.cacheproxy.core.index.UsageScan;
import dev.cacheproxy.core.testing.MutableClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The size quota: past the high watermark the least recently used entries of every instance go, down
 * to the low watermark; a blob shared by several entries goes with the last of them; nothing is
 * evicted before the start-up scan has told the order, or while just used; the order survives a restart.
 */
class QuotaEnforcerTest {
    private static final int KIB = 1024;

    @TempDir
    Path dir;

    /** An hour ahead of the files' own times, so that every blob is past its grace period. */
    private final MutableClock clock = new MutableClock(Instant.now().plus(Duration.ofHours(1)));
    private final ExecutorService runner = Executors.newSingleThreadExecutor();
    private FileBlobStore store;
    private EntryUsage usage;
    private EntryIndex a;
    private EntryIndex b;

    @BeforeEach
    void open() throws IOException {
        store = FileBlobStore.open(dir);
        usage = new EntryUsage();
        UsageScan.rebuild(entries(), usage); // nothing there yet: the order is complete
        a = index("a");
        b = index("b");
    }

    @AfterEach
    void close() throws IOException {
        runner.shutdownNow();
        store.close();
    }

    private FileEntryStore entries() {
        return new FileEntryStore(dir.resolve("index"), dir.resolve("tmp"));
    }

    private EntryIndex index(String instance) {
        return new EntryIndex(dir.resolve("index"), instance, dir.resolve("tmp"), 1000, usage, clock);
    }

    @Test
    void evictsTheLeastRecentlyUsedEntriesDownToTheLowWatermark() throws IOException {
        // ten entries of 1..10 KiB (55 KiB), used in a scrambled order
        int[] sizes = {7, 3, 10, 1, 5, 9, 2, 8, 4, 6};
        List<String> byLastUse = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            put(i % 2 == 0 ? a : b, "k" + i, blob(i, sizes[i] * KIB));
        }
        int[] useOrder = {4, 0, 9, 2, 7, 1, 5, 3, 8, 6};
        for (int k : useOrder) {
            clock.advance(Duration.ofMinutes(1));
            use(k % 2 == 0 ? a : b, "k" + k);
            byLastUse.add("k" + k);
        }
        clock.advance(Duration.ofMinutes(5));
        // quota 50 KiB: high 47.5 KiB (55 stored is above), low 42.5 KiB
        QuotaEnforcer quota = enforcer(new StorageLimits(50 * KIB, 0.95, 0.85, 0));

        QuotaEnforcer.Result r = quota.run();

        // least recently used first: k4 (5 KiB) then k0 (7 KiB) bring 55 KiB to 43; k9 (6 KiB) to 37 <= 42.5
        assertEquals(3, r.evictedEntries());
        assertEquals((5 + 7 + 6) * KIB, r.freedBytes());
        assertEquals((55 - 18) * KIB, store.stats().bytes());
        for (String key : byLastUse) {
            int k = Integer.parseInt(key.substring(1));
            boolean evicted = byLastUse.indexOf(key) < 3;
            assertEquals(!evicted, (k % 2 == 0 ? a : b).get(key).isPresent(), key);
            assertEquals(!evicted, store.find(sha256(blob(k, sizes[k] * KIB))).isPresent(), key);
        }
    }

    @Test
    void aSharedBlobStaysWhileAnotherEntryReferencesIt() throws IOException {
        byte[] shared = blob(1, 20 * KIB);
        put(a, "old", shared);
        put(b, "recent", shared);
        put(a, "other", blob(2, 20 * KIB));
        clock.advance(Duration.ofMinutes(2));
        use(a, "other");
        clock.advance(Duration.ofMinutes(1));
        use(b, "recent");
        clock.advance(Duration.ofMinutes(2));
        // 40 KiB stored, quota 30 KiB (high 28.5, low 25.5): "old" goes first, but its blob is b's too
        QuotaEnforcer.Result r = enforcer(new StorageLimits(30 * KIB, 0.95, 0.85, 0)).run();

        assertFalse(a.get("old").isPresent());
        assertTrue(b.get("recent").isPresent());
        assertTrue(store.find(sha256(shared)).isPresent(), "still referenced by instance b");
        // then the next least recently used goes, and frees its blob
        assertEquals(2, r.evictedEntries());
        assertEquals(1, r.deletedBlobs());
        assertEquals(20 * KIB, store.stats().bytes());
    }

    @Test
    void nothingIsEvictedBeforeTheStartUpScanOrWhileJustUsed() throws IOException {
        put(a, "k", blob(1, 10 * KIB));
        clock.advance(Duration.ofMinutes(5));
        EntryUsage unscanned = new EntryUsage();
        EntryIndex late = new EntryIndex(dir.resolve("index"), "late", dir.resolve("tmp"), 10, unscanned, clock);
        late.put(entry("x", blob(2, 10 * KIB)));
        QuotaEnforcer beforeScan = new QuotaEnforcer(store, unscanned, entries(),
                new StorageLimits(KIB, 0.95, 0.85, 0), clock, CacheEvents.NONE, runner);
        assertEquals(0, beforeScan.run().evictedEntries(), "the order is not known before the scan");

        use(a, "k");
        assertEquals(0, enforcer(new StorageLimits(KIB, 0.95, 0.85, 0)).run().evictedEntries(),
                "an entry used within the last seconds may be being written to a client");
        clock.advance(Duration.ofMinutes(2));
        assertEquals(1, enforcer(new StorageLimits(KIB, 0.95, 0.85, 0)).run().evictedEntries());
    }

    @Test
    void theOrderSurvivesARestart() throws IOException {
        for (int i = 0; i < 5; i++) {
            put(a, "k" + i, blob(i, KIB));
        }
        int[] useOrder = {3, 1, 4, 0, 2};
        for (int k : useOrder) {
            clock.advance(Duration.ofMinutes(1));
            use(a, "k" + k);
        }
        List<String> before = keysInOrder(usage);
        assertEquals(List.of("k3", "k1", "k4", "k0", "k2"), before);
        assertEquals(5, UsageScan.flush(entries(), usage));
        assertEquals(0, UsageScan.flush(entries(), usage), "only what was used since is written");

        EntryUsage restarted = new EntryUsage();
        assertFalse(restarted.complete());
        assertEquals(5, UsageScan.rebuild(entries(), restarted));
        assertTrue(restarted.complete());
        assertEquals(before, keysInOrder(restarted));
    }

    @Test
    void aRunIsStartedOnlyAboveTheHighWatermark() throws Exception {
        QuotaEnforcer quota = enforcer(new StorageLimits(100 * KIB, 0.95, 0.85, 0));
        usage.onGrowth(quota::check);
        put(a, "small", blob(1, 90 * KIB));
        clock.advance(Duration.ofMinutes(5));
        runner.submit(() -> {}).get();
        assertTrue(a.get("small").isPresent(), "90 KiB is below the high watermark of 95");
        put(a, "more", blob(2, 10 * KIB)); // 100 KiB: above; the check queues a run on the runner
        runner.submit(() -> {}).get();
        assertFalse(a.get("small").isPresent(), "the least recently used entry went");
        assertTrue(a.get("more").isPresent(), "stored just now: spared");
    }

    /** The keys k0..k9 in the table's least-recently-used order (it knows entries by their names). */
    private static List<String> keysInOrder(EntryUsage u) {
        Map<String, String> keyOf = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            keyOf.put(EntryIndex.nameOf("k" + i), "k" + i);
        }
        return u.leastRecentlyUsed(Long.MAX_VALUE).stream().map(c -> keyOf.get(c.name())).toList();
    }

    @Test
    void manyCandidates_areEvictedInBatches_andAnUnreadableDocumentIsDeletedByName() throws IOException {
        for (int i = 0; i < 10; i++) {
            put(a, "k" + i, blob(i, 2 * KIB));
            clock.advance(Duration.ofMinutes(1));
        }
        // k0's document damaged on disk: the quota cannot read its key, and deletes it by its name
        Files.writeString(dir.resolve("index").resolve("a").resolve(EntryIndex.nameOf("k0")), "{not json");
        clock.advance(Duration.ofMinutes(5));
        // 20 KiB stored, quota 8 KiB: high 7.6, low 6.8 -> the 7 oldest go, in batches of 3
        QuotaEnforcer.Result r = new QuotaEnforcer(store, usage, entries(), new StorageLimits(8 * KIB, 0.95, 0.85, 0),
                clock, CacheEvents.NONE, runner, 3).run();
        assertEquals(7, r.evictedEntries());
        assertEquals(7, r.deletedBlobs());
        assertEquals(3, usage.size());
        assertFalse(Files.exists(dir.resolve("index").resolve("a").resolve(EntryIndex.nameOf("k0"))));
        for (int i = 0; i < 10; i++) {
            assertEquals(i >= 7, a.get("k" + i).isPresent(), "k" + i);
        }
    }

    private void use(EntryIndex index, String key) {
        index.used(index.get(key).orElseThrow(), clock.millis());
    }

    private QuotaEnforcer enforcer(StorageLimits limits) {
        return new QuotaEnforcer(store, usage, entries(), limits, clock, CacheEvents.NONE, runner);
    }

    private void put(EntryIndex index, String key, byte[] body) throws IOException {
        index.put(entry(key, body));
    }

    private CacheEntry entry(String key, byte[] body) throws IOException {
        try (BlobWriter w = store.newWriter(List.of())) {
            w.write(ByteBuffer.wrap(body));
            w.commit();
        }
        return new CacheEntry(key, sha256(body), body.length, Map.of(), clock.instant(), clock.instant());
    }

    private static Digest sha256(byte[] body) {
        return Digest.of(DigestAlgorithm.SHA256, DigestAlgorithm.SHA256.newMessageDigest().digest(body));
    }

    private static byte[] blob(int seed, int size) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) seed);
        b[0] = (byte) (size >> 8);
        return b;
    }
}
