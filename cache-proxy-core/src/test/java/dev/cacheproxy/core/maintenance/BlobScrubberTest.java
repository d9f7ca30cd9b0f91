package dev.cacheproxy.core.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.events.CacheEvents;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobScrubberTest {
    @TempDir
    Path dir;

    @Test
    void pass_quarantinesOnlyBlobsThatNoLongerMatchTheirName_pacedToTheRate() throws Exception {
        List<String> damaged = new ArrayList<>();
        List<Long> pauses = new ArrayList<>();
        try (FileBlobStore store = FileBlobStore.open(dir)) {
            BlobFile good = put(store, "good content, 1000 bytes".repeat(40));
            BlobFile bad = put(store, "will be damaged".repeat(10));
            byte[] bytes = Files.readAllBytes(bad.path());
            bytes[0] ^= 1;
            Files.write(bad.path(), bytes);
            BlobScrubber scrubber = new BlobScrubber(store, new CacheEvents() {
                @Override
                public void blobDamaged(String foundBy) {
                    damaged.add(foundBy);
                }
            }, 1000, pauses::add);
            BlobScrubber.Result r = scrubber.pass();
            assertEquals(2, r.checked());
            assertEquals(1, r.damaged());
            assertEquals(List.of("scrub"), damaged);
            assertTrue(store.find(good.digest()).isPresent());
            assertTrue(store.find(bad.digest()).isEmpty());
            assertEquals(1, store.stats().objects());
            // 1000 bytes/s: the 960-byte blob costs most of a second, the 150-byte one a little
            assertTrue(pauses.stream().mapToLong(Long::longValue).sum() >= 900, pauses.toString());
            assertEquals(0, scrubber.pass().damaged());
        }
    }

    private static BlobFile put(FileBlobStore store, String content) throws Exception {
        try (BlobWriter w = store.newWriter(List.of())) {
            w.write(ByteBuffer.wrap(content.getBytes()));
            return w.commit();
        }
    }
}
