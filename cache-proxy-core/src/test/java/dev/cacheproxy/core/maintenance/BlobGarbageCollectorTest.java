package dev.cacheproxy.core.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.index.FileEntryStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobGarbageCollectorTest {
    private static final Duration GRACE = Duration.ofHours(1);

    @TempDir
    Path dir;

    private FileBlobStore store;
    private BlobGarbageCollector gc;

    @BeforeEach
    void open() throws Exception {
        store = FileBlobStore.open(dir);
        gc = new BlobGarbageCollector(store, new FileEntryStore(dir.resolve("index"), dir.resolve("tmp")), GRACE, Instant::now);
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    private BlobFile blob(String content) throws Exception {
        var w = store.newWriter(List.of());
        w.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8)));
        return w.commit();
    }

    private static void age(BlobFile b, Duration by) throws Exception {
        Files.setLastModifiedTime(b.path(), FileTime.from(Instant.now().minus(by)));
    }

    private void reference(String instance, String key, BlobFile b) throws Exception {
        new EntryIndex(dir.resolve("index"), instance, dir.resolve("tmp"), 10)
                .put(new CacheEntry(key, b.digest(), b.size(), Map.of(), Instant.now(), Instant.now()));
    }

    @Test
    void deletesOnlyOldUnreferencedBlobs_acrossEveryInstance() throws Exception {
        BlobFile kept = blob("referenced by a");
        BlobFile keptElsewhere = blob("referenced by a disabled instance");
        BlobFile garbage = blob("nobody wants me");
        BlobFile young = blob("committed a moment ago, entry not written yet");
        reference("a", "k1", kept);
        reference("disabled", "k2", keptElsewhere);
        for (BlobFile b : List.of(kept, keptElsewhere, garbage)) {
            age(b, Duration.ofHours(2));
        }

        BlobGarbageCollector.Result r = gc.run();

        assertEquals(1, r.deleted());
        assertEquals(garbage.size(), r.deletedBytes());
        assertTrue(store.find(garbage.digest()).isEmpty());
        for (BlobFile b : List.of(kept, keptElsewhere, young)) {
            assertTrue(store.find(b.digest()).isPresent(), b.digest().toString());
        }
        assertEquals(3, store.stats().objects());
    }

    @Test
    void storingContentAgain_givesAnOldBlobTheGracePeriodAgain() throws Exception {
        BlobFile old = blob("stored long ago, stored again just now");
        age(old, Duration.ofDays(3));
        blob("stored long ago, stored again just now"); // a new fill of the same content, entry not yet written
        assertEquals(0, gc.run().deleted());
        assertTrue(store.find(old.digest()).isPresent());
    }

    @Test
    void quarantinedCopies_arePurgedAfterAWeek() throws Exception {
        BlobFile damaged = blob("damaged on disk");
        BlobFile recent = blob("damaged a moment ago");
        age(damaged, Duration.ofDays(30)); // a blob's own age does not count: the quarantine's does
        store.quarantine(damaged.digest());
        store.quarantine(recent.digest());
        Path quarantine = dir.resolve("quarantine");
        try (var files = Files.list(quarantine)) {
            assertEquals(2, files.count(), "both copies kept after a fresh quarantine");
        }
        try (var files = Files.list(quarantine)) {
            Path first = files.sorted().findFirst().orElseThrow();
            Files.setLastModifiedTime(first, FileTime.from(Instant.now().minus(Duration.ofDays(8))));
        }
        gc.run();
        try (var files = Files.list(quarantine)) {
            assertEquals(1, files.count(), "the week-old copy is gone, the recent one kept");
        }
    }
}
