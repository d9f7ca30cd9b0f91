package dev.cacheproxy.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestMismatchException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link BlobStore} implementation must pass. An implementation's test extends this
 * class and provides {@link #newStore()}.
 */
public abstract class BlobStoreContract {
    protected BlobStore store;

    protected abstract BlobStore newStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = newStore();
    }

    @AfterEach
    void close() throws Exception {
        store.close();
    }

    protected static Digest sha256(byte[] b) throws Exception {
        return Digest.of("sha256", MessageDigest.getInstance("SHA-256").digest(b));
    }

    protected BlobFile put(byte[] content, List<Digest> expected) throws Exception {
        try (BlobWriter w = store.newWriter(expected)) {
            w.write(ByteBuffer.wrap(content));
            return w.commit();
        }
    }

    @Test
    void commit_publishesContentUnderItsSha256() throws Exception {
        byte[] content = "hello blob".getBytes(StandardCharsets.UTF_8);
        BlobFile f = put(content, List.of());
        assertEquals(sha256(content), f.digest());
        assertEquals(content.length, f.size());
        assertArrayEquals(content, Files.readAllBytes(store.find(f.digest()).orElseThrow().path()));
    }

    @Test
    void find_missingDigest_isEmpty() throws Exception {
        assertTrue(store.find(sha256(new byte[] {1, 2, 3})).isEmpty());
    }

    @Test
    void abort_leavesNothingVisible() throws Exception {
        byte[] content = "never published".getBytes(StandardCharsets.UTF_8);
        BlobWriter w = store.newWriter(List.of());
        w.write(ByteBuffer.wrap(content));
        assertEquals(content.length, w.written());
        assertTrue(Files.exists(w.tempFile()), "followers can read the temp file while it grows");
        w.abort();
        assertFalse(Files.exists(w.tempFile()));
        assertTrue(store.find(sha256(content)).isEmpty());
    }

    @Test
    void commit_withWrongExpectedDigest_publishesNothing() throws Exception {
        byte[] content = "tampered".getBytes(StandardCharsets.UTF_8);
        Digest wrong = sha256("original".getBytes(StandardCharsets.UTF_8));
        BlobWriter w = store.newWriter(List.of(wrong));
        w.write(ByteBuffer.wrap(content));
        assertThrows(DigestMismatchException.class, w::commit);
        assertTrue(store.find(sha256(content)).isEmpty());
        assertFalse(Files.exists(w.tempFile()));
    }

    @Test
    void commit_verifiesOtherAlgorithmsInTheSamePass() throws Exception {
        byte[] content = "npm tarball".getBytes(StandardCharsets.UTF_8);
        Digest sha512 = Digest.of("sha512", MessageDigest.getInstance("SHA-512").digest(content));
        Digest sha1 = Digest.of("sha1", MessageDigest.getInstance("SHA-1").digest(content));
        assertEquals(sha256(content), put(content, List.of(sha512, sha1)).digest());
    }

    @Test
    void concurrentWritersOfOneContent_publishOneBlob() throws Exception {
        byte[] content = new byte[256 * 1024];
        new java.util.Random(7).nextBytes(content);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<BlobFile>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit((Callable<BlobFile>) () -> put(content, List.of())));
            }
            for (Future<BlobFile> f : results) {
                assertEquals(sha256(content), f.get().digest());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, store.stats().objects());
        assertEquals(content.length, store.stats().bytes());
    }

    @Test
    void delete_removesTheBlobAndUpdatesStats() throws Exception {
        BlobFile f = put("to delete".getBytes(StandardCharsets.UTF_8), List.of());
        assertEquals(1, store.stats().objects());
        assertTrue(store.delete(f.digest()));
        assertFalse(store.delete(f.digest()));
        assertTrue(store.find(f.digest()).isEmpty());
        assertEquals(0, store.stats().objects());
        assertEquals(0, store.stats().bytes());
    }

    @Test
    void forEach_visitsEveryPublishedBlob() throws Exception {
        put("a".getBytes(StandardCharsets.UTF_8), List.of());
        put("b".getBytes(StandardCharsets.UTF_8), List.of());
        List<Digest> seen = new ArrayList<>();
        store.forEach(b -> seen.add(b.digest()));
        assertEquals(2, seen.size());
    }

    @Test
    void verify_tellsIntactFromDamaged_andQuarantineTakesABlobOutOfService() throws Exception {
        byte[] content = "verify me".getBytes(StandardCharsets.UTF_8);
        BlobFile f = put(content, List.of());
        assertTrue(store.verify(f.digest()));
        byte[] bad = content.clone();
        bad[0] ^= 1;
        Files.write(f.path(), bad);
        assertFalse(store.verify(f.digest()));
        store.quarantine(f.digest());
        assertTrue(store.find(f.digest()).isEmpty());
        assertFalse(store.verify(f.digest()));
        assertEquals(0, store.stats().objects());
        store.quarantine(f.digest()); // missing: nothing to do
    }

    @Test
    void commitOfContentAlreadyStored_replacesADamagedCopy() throws Exception {
        byte[] content = "fresh and verified".getBytes(StandardCharsets.UTF_8);
        BlobFile first = put(content, List.of());
        Files.write(first.path(), "damaged".getBytes(StandardCharsets.UTF_8));
        BlobFile again = put(content, List.of());
        assertEquals(first.digest(), again.digest());
        assertTrue(store.verify(again.digest()));
        assertEquals(1, store.stats().objects());
        assertEquals(content.length, store.stats().bytes());
    }
}
