package dev.cacheproxy.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.index.EntryUsage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on one bucket (two stores with local tiers of their own): what one stored, the other finds,
 * downloads verified into its own tier and indexes; a damaged object is never served; the local tier
 * stays within its size while the bucket keeps everything.
 */
class SharedBucketTest {
    @TempDir
    Path dir;

    private S3Settings bucket;
    private S3BlobStore a;
    private S3BlobStore b;
    private S3Objects raw;

    @BeforeEach
    void open() throws Exception {
        bucket = S3ProxyServer.shared().newBucket();
        a = S3BlobStore.open(S3Objects.connect(bucket), "c/", dir.resolve("a"), 1 << 20);
        b = S3BlobStore.open(S3Objects.connect(bucket), "c/", dir.resolve("b"), 64 * 1024, Duration.ZERO);
        raw = S3Objects.connect(bucket);
    }

    @AfterEach
    void close() throws IOException {
        a.close();
        b.close();
        raw.close();
    }

    @Test
    void aBlobOneNodeStoredIsFoundByTheOtherAndServedFromItsOwnDisk() throws Exception {
        byte[] body = "stored by node a".getBytes(StandardCharsets.UTF_8);
        BlobFile stored = put(a, body);
        assertTrue(b.findNearby(stored.digest()).isEmpty(), "not on b's disk yet: the hit path must ask find()");
        BlobFile found = b.find(stored.digest()).orElseThrow();
        assertTrue(found.path().startsWith(dir.resolve("b")), "b serves its own local copy");
        assertArrayEquals(body, Files.readAllBytes(found.path()));
        assertTrue(b.findNearby(stored.digest()).isPresent());
        assertEquals(1, a.stats().objects());
        try (S3BlobStore c = S3BlobStore.open(S3Objects.connect(bucket), "c/", dir.resolve("c"), 1 << 20)) {
            assertEquals(1, c.stats().objects(), "a node started later counts the bucket");
            assertEquals(body.length, c.stats().bytes());
        }
    }

    @Test
    void aDamagedObjectInTheBucketIsDeletedNotServed() throws Exception {
        byte[] body = "good content".getBytes(StandardCharsets.UTF_8);
        Digest d = put(a, body).digest();
        raw.put("c/blobs/sha256/" + d.hex(), "evil content".getBytes(StandardCharsets.UTF_8));
        assertTrue(b.find(d).isEmpty(), "a download that does not match its name is refused");
        assertTrue(raw.head("c/blobs/sha256/" + d.hex()).isEmpty(), "and the object is taken out of the bucket");
    }

    @Test
    void theLocalTierStaysWithinItsSizeAndTheBucketKeepsEverything() throws Exception {
        List<Digest> digests = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            byte[] body = new byte[16 * 1024];
            body[0] = (byte) i;
            digests.add(put(a, body).digest());
        }
        for (Digest d : digests) {
            assertTrue(b.find(d).isPresent());
        }
        // 8 x 16 KiB read through a 64 KiB tier (no in-use window in this test): the oldest copies went
        assertTrue(b.localStats().bytes() <= 64 * 1024, b.localStats().toString());
        assertTrue(b.findNearby(digests.get(0)).isEmpty(), "the least recently used copy was dropped");
        assertTrue(b.findNearby(digests.get(7)).isPresent(), "the latest is on disk");
        assertTrue(b.find(digests.get(0)).isPresent(), "and a dropped copy comes back from the bucket");
        for (Digest d : digests) {
            assertTrue(raw.head("c/blobs/sha256/" + d.hex()).isPresent());
        }
    }

    @Test
    void anEntryOneNodeIndexedIsSeenByTheOther_evenAfterTheOtherFoundItAbsent() throws Exception {
        S3EntryStore entriesA = new S3EntryStore(S3Objects.connect(bucket), "c/");
        S3EntryStore entriesB = new S3EntryStore(S3Objects.connect(bucket), "c/");
        EntryIndex onA = new EntryIndex(entriesA, "npm", 100, new EntryUsage(), InstantSource.system());
        EntryIndex onB = new EntryIndex(entriesB, "npm", 100, new EntryUsage(), InstantSource.system());
        assertTrue(onB.get("left-pad/-/left-pad-1.3.0.tgz").isEmpty());
        Digest d = put(a, "a tarball".getBytes(StandardCharsets.UTF_8)).digest();
        onA.put(new CacheEntry("left-pad/-/left-pad-1.3.0.tgz", d, 9, Map.of("etag", "\"x\""), Instant.now(), Instant.now()));
        CacheEntry seen = onB.get("left-pad/-/left-pad-1.3.0.tgz").orElseThrow();
        assertEquals(d, seen.blob());
        assertEquals("\"x\"", seen.header("etag"));
        int[] n = {0};
        entriesB.forEach(null, (instance, name, bytes, lastUsed) -> {
            assertEquals("npm", instance);
            assertEquals(EntryIndex.nameOf("left-pad/-/left-pad-1.3.0.tgz"), name);
            n[0]++;
            return true;
        });
        assertEquals(1, n[0]);
        onA.remove("left-pad/-/left-pad-1.3.0.tgz");
        assertFalse(entriesB.read("npm", EntryIndex.nameOf("left-pad/-/left-pad-1.3.0.tgz")).isPresent());
    }

    private static BlobFile put(S3BlobStore store, byte[] body) throws IOException {
        Digest d = Digest.of(DigestAlgorithm.SHA256, DigestAlgorithm.SHA256.newMessageDigest().digest(body));
        try (BlobWriter w = store.newWriter(List.of(d))) {
            w.write(ByteBuffer.wrap(body));
            return w.commit();
        }
    }
}
