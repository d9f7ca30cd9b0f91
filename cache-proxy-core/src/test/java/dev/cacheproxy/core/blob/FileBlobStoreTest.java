package dev.cacheproxy.core.blob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.testing.BlobStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBlobStoreTest extends BlobStoreContract {
    @TempDir
    Path dir;

    @Override
    protected BlobStore newStore() throws Exception {
        return FileBlobStore.open(dir);
    }

    @Test
    void open_whileLocked_failsWithAClearMessage() {
        StoreLockedException e = assertThrows(StoreLockedException.class, () -> FileBlobStore.open(dir));
        assertTrue(e.getMessage().contains("in use by another cache-proxy process"), e.getMessage());
    }

    @Test
    void open_sweepsTempFilesOfAnInterruptedFill() throws Exception {
        BlobWriter w = store.newWriter(List.of());
        w.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
        Path temp = w.tempFile();
        store.close(); // like a crash: the writer never finished
        store = FileBlobStore.open(dir);
        assertFalse(Files.exists(temp));
        assertEquals(0, store.stats().objects());
    }

    @Test
    void blobs_areShardedByTheirDigest() throws Exception {
        BlobFile f = put(new byte[] {42}, List.of());
        String hex = f.digest().hex();
        assertEquals(dir.resolve("blobs/sha256/" + hex.substring(0, 2) + "/" + hex.substring(2, 4) + "/" + hex), f.path());
    }

    @Test
    void stats_areRecountedAtOpen() throws Exception {
        put(new byte[] {1, 2}, List.of());
        store.close();
        store = FileBlobStore.open(dir);
        assertEquals(1, store.stats().objects());
        assertEquals(2, store.stats().bytes());
    }
}
