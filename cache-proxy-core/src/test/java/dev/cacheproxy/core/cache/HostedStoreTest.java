package dev.cacheproxy.core.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.http.UploadBody;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.index.EntryUsage;
import dev.cacheproxy.core.index.FileEntryStore;
import dev.cacheproxy.core.index.UsageScan;
import dev.cacheproxy.core.quota.StorageLimits;
import dev.cacheproxy.core.quota.StorageSpace;
import dev.cacheproxy.core.testing.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hosted store without a server: what an upload publishes, and retention by last use. */
class HostedStoreTest {
    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.atEpochDay();
    private FileBlobStore blobs;
    private EntryUsage usage;
    private HostedStore store;

    @BeforeEach
    void open() throws IOException {
        blobs = FileBlobStore.open(dir.resolve("blobs"));
        FileEntryStore entries = new FileEntryStore(dir.resolve("index"), dir.resolve("tmp"));
        usage = new EntryUsage();
        UsageScan.rebuild(entries, usage);
        store = new HostedStore("builds", blobs, new EntryIndex(entries, "builds", 100, usage, clock),
                StorageSpace.unlimited(blobs, clock), clock, CacheEvents.NONE, usage);
    }

    @AfterEach
    void close() throws IOException {
        blobs.close();
    }

    private static UploadBody body(String text, long declared) {
        return new UploadBody() {
            @Override
            public long declaredLength() {
                return declared;
            }

            @Override
            public InputStream open() {
                return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
            }
        };
    }

    private HostedStore.PutOutcome put(String key, String text) {
        return store.put(key, "test", body(text, text.length()), List.of(), 1000, Map.of());
    }

    @Test
    void anUploadWithoutALength_largerThanTheWholeQuota_isRefusedAndNothingIsPublished() throws IOException {
        HostedStore quoted = new HostedStore("builds", blobs, new EntryIndex(new FileEntryStore(dir.resolve("index2"),
                dir.resolve("tmp")), "builds", 100, usage, clock),
                new StorageSpace(blobs, new StorageLimits(8, 0.95, 0.85, 0), clock), clock, CacheEvents.NONE, usage);
        HostedStore.PutOutcome out = quoted.put("k", "test", body("longer than eight bytes", -1), List.of(), 1000, Map.of());
        assertEquals(new HostedStore.PutOutcome.NoRoom("over_quota"), out);
        assertTrue(quoted.open("k").isEmpty());
        assertEquals(0, blobs.stats().objects());
    }

    @Test
    void aBodyShorterThanAnnounced_publishesNothing_theKeyKeepsItsLastBody() throws IOException {
        assertInstanceOf(HostedStore.PutOutcome.Stored.class, put("k", "first"));
        assertInstanceOf(HostedStore.PutOutcome.Cut.class, store.put("k", "test", body("second", 100), List.of(), 1000, Map.of()));
        try (InputStream in = store.open("k").orElseThrow()) {
            assertArrayEquals("first".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
        }
        assertInstanceOf(HostedStore.PutOutcome.TooLarge.class, store.put("big", "test", body("x".repeat(2000), -1), List.of(), 1000,
                Map.of()), "counted as it arrives when no length was announced");
        assertTrue(store.entry("big").isEmpty());
    }

    @Test
    void retention_removesWhatWasNotUsedForExpireAfter_aReadKeepsAnEntry() throws IOException {
        put("read", "kept because it is read");
        put("idle", "removed: nobody reads it");
        clock.advance(Duration.ofDays(20));
        assertTrue(store.get("read", "test").isPresent());
        clock.advance(Duration.ofDays(15)); // 35 days after the uploads, 15 after the read
        assertEquals(1, store.removeUnused(Expiration.after(Duration.ofDays(30)), 100, true), "a dry run only counts");
        assertTrue(store.entry("idle").isPresent());
        assertEquals(1, store.removeUnused(Expiration.after(Duration.ofDays(30)), 100, false));
        assertTrue(store.entry("idle").isEmpty());
        assertTrue(store.entry("read").isPresent());
        assertEquals(0, store.removeUnused(Expiration.never(), 100, false));
    }
}
