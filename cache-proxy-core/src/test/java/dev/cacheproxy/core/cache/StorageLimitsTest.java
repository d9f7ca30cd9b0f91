package dev.cacheproxy.core.cache;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.fetch.FillLimiter;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.quota.StorageLimits;
import dev.cacheproxy.core.quota.StorageSpace;
import dev.cacheproxy.core.testing.Bodies;
import dev.cacheproxy.core.testing.DelegatingBlobStore;
import dev.cacheproxy.core.testing.MutableClock;
import dev.cacheproxy.core.testing.RecordingCacheEvents;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamClient;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A body the storage cannot take is passed through, whole, and nothing of it is kept: one larger than
 * the quota, any while the disk is below {@code min_free}, and any for a while after the disk said it
 * is full mid-fill. Storing resumes by itself; hits are served all the while.
 */
class StorageLimitsTest {
    private static final long MIB = 1 << 20;
    private static final byte[] SMALL = "a small body".getBytes();
    private static final byte[] LARGE = large();

    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final MutableClock clock = MutableClock.atEpochDay();
    private final RecordingCacheEvents events = new RecordingCacheEvents();
    private FileBlobStore files;
    private FillingDisk disk;

    @BeforeEach
    void start() throws IOException {
        up.start();
        // with a Content-Length, as file servers send: the length is what a fill is admitted by
        up.stubFor(get("/small").willReturn(aResponse().withBody(SMALL).withHeader("Content-Length", "" + SMALL.length)));
        up.stubFor(get("/large").willReturn(aResponse().withBody(LARGE).withHeader("Content-Length", "" + LARGE.length)));
        up.stubFor(get("/slow").willReturn(aResponse().withBody(LARGE).withHeader("Content-Length", "" + LARGE.length)
                .withFixedDelay(300)));
        files = FileBlobStore.open(dir);
        disk = new FillingDisk(files);
    }

    @AfterEach
    void stop() throws IOException {
        up.stop();
        threads.shutdownNow();
        awaitFills(threads);
        files.close();
    }

    private CacheEngine engine(StorageLimits limits) {
        return new CacheEngine("test", disk, new EntryIndex(dir.resolve("index"), "test", dir.resolve("tmp"), 1000),
                new UpstreamClient("test", List.of(URI.create(up.baseUrl())), TransportSettings.DEFAULTS, CacheEvents.NONE),
                new FillLimiter(8, 8), Duration.ofMinutes(1), clock, events, threads,
                new StorageSpace(disk, limits, clock));
    }

    private static CacheRequest request(String path) {
        return CacheRequest.builder(path, CacheRule.immutable(Expiration.DEFAULT), path).build();
    }

    @Test
    void aBodyLargerThanTheQuotaIsPassedThroughWholeAndNotStored() throws Exception {
        CacheEngine engine = engine(new StorageLimits(MIB, 0.95, 0.85, 0));
        for (int i = 0; i < 2; i++) {
            ProxyResponse r = engine.serve(request("large"));
            assertEquals(CacheStatus.BYPASS, r.cache());
            assertArrayEquals(LARGE, Bodies.of(r));
        }
        assertEquals(0, files.stats().objects(), "nothing kept");
        assertTempEmpty();
        up.verify(2, getRequestedFor(urlEqualTo("/large")));
        assertEquals(2, events.count("unstored", "over_quota"));
        // a body within the quota is stored as usual
        ProxyResponse small = engine.serve(request("small"));
        assertEquals(CacheStatus.MISS, small.cache());
        assertArrayEquals(SMALL, Bodies.of(small));
        assertEquals(CacheStatus.HIT, engine.serve(request("small")).cache());
    }

    @Test
    void aBodyWithoutALengthThatGrowsPastTheQuota_reachesItsClientsWhole_andIsNotStored() throws Exception {
        up.stubFor(get("/chunked").willReturn(aResponse().withBody(LARGE).withChunkedDribbleDelay(64, 50)));
        CacheEngine engine = engine(new StorageLimits(MIB / 2, 0.95, 0.85, 0));
        for (int i = 0; i < 2; i++) {
            ProxyResponse r = engine.serve(request("chunked"));
            assertEquals(CacheStatus.MISS, r.cache(), "admitted: its length was not known");
            assertArrayEquals(LARGE, Bodies.of(r), "the part past the quota relayed");
        }
        assertEquals(0, files.stats().objects(), "nothing kept");
        assertTempEmpty();
        assertEquals(2, events.count("unstored", "over_quota"));
    }

    @Test
    void aPassedThroughBodyIsStillCheckedAgainstItsDigest() throws Exception {
        CacheEngine engine = engine(new StorageLimits(MIB, 0.95, 0.85, 0));
        CacheRequest wrong = CacheRequest.builder("large", CacheRule.immutable(Expiration.DEFAULT), "large")
                .expect(List.of(Digest.sha256Of("something else"))).build();
        ProxyResponse r = engine.serve(wrong);
        assertEquals(CacheStatus.BYPASS, r.cache());
        assertThrows(IOException.class, () -> Bodies.of(r), "cut short: never complete and wrong");
    }

    @Test
    void belowMinFreeFillsPassThroughHitsGoOnAndStoringResumesWithRoom() throws Exception {
        CacheEngine engine = engine(new StorageLimits(0, 0.95, 0.85, 10 * MIB));
        assertArrayEquals(SMALL, Bodies.of(engine.serve(request("small"))));
        disk.free = 10 * MIB + 100; // the large body would leave less than min_free
        ProxyResponse large = engine.serve(request("large"));
        assertEquals(CacheStatus.BYPASS, large.cache());
        assertArrayEquals(LARGE, Bodies.of(large));
        assertEquals(CacheStatus.HIT, engine.serve(request("small")).cache(), "hits are served all the while");
        assertFalse(new StorageSpace(disk, new StorageLimits(0, 0.95, 0.85, 10 * MIB), clock).full(),
                "the disk itself is above min_free: only this body did not fit");

        disk.free = MIB; // below min_free: the storage is full
        StorageSpace space = new StorageSpace(disk, new StorageLimits(0, 0.95, 0.85, 10 * MIB), clock);
        assertTrue(space.full());
        assertEquals(CacheStatus.BYPASS, engine.serve(request("large")).cache());

        disk.free = Long.MAX_VALUE; // room again
        assertFalse(space.full());
        ProxyResponse stored = engine.serve(request("large"));
        assertEquals(CacheStatus.MISS, stored.cache());
        assertArrayEquals(LARGE, Bodies.of(stored));
        assertEquals(CacheStatus.HIT, engine.serve(request("large")).cache());
        assertEquals(2, events.count("unstored", "disk_full"));
    }

    @Test
    void aDiskFullMidFillStillGivesItsClientsTheWholeBody_publishesNothing_andTheNextFillsPassThrough() throws Exception {
        CacheEngine engine = engine(new StorageLimits(0, 0.95, 0.85, 0));
        disk.failWritesAfter = MIB / 2;
        ProxyResponse first = engine.serve(request("large"));
        assertEquals(CacheStatus.MISS, first.cache());
        assertArrayEquals(LARGE, Bodies.of(first), "the rest of the body was relayed past the full disk");
        assertEquals(0, files.stats().objects(), "nothing stored");
        assertTempEmpty();
        assertEquals(1, events.count("unstored", "disk_full"));

        disk.failWritesAfter = -1;
        ProxyResponse next = engine.serve(request("large"));
        assertEquals(CacheStatus.BYPASS, next.cache(), "within 30 s of ENOSPC, fills pass through");
        assertArrayEquals(LARGE, Bodies.of(next));

        clock.advance(Duration.ofSeconds(31));
        ProxyResponse stored = engine.serve(request("large"));
        assertEquals(CacheStatus.MISS, stored.cache());
        assertArrayEquals(LARGE, Bodies.of(stored));
        assertEquals(CacheStatus.HIT, engine.serve(request("large")).cache());
    }

    @Test
    void aRelayedBodyThatDoesNotMatchItsDigestIsCutShort() throws Exception {
        CacheEngine engine = engine(new StorageLimits(0, 0.95, 0.85, 0));
        disk.failWritesAfter = MIB / 2;
        CacheRequest wrong = CacheRequest.builder("large", CacheRule.immutable(Expiration.DEFAULT), "large")
                .expect(List.of(Digest.sha256Of("something else"))).build();
        assertThrows(IOException.class, () -> Bodies.of(engine.serve(wrong)));
        assertEquals(0, files.stats().objects());
    }

    /** A request whose body only a check of the whole file verifies (as a Go module zip's is). */
    private static CacheRequest fileChecked(String path, AtomicInteger checks) {
        return CacheRequest.builder(path, CacheRule.immutable(Expiration.DEFAULT), path).checkFile(file -> {
            checks.incrementAndGet();
            return Optional.empty();
        }).build();
    }

    @Test
    void aBodyOnlyAWholeFileCheckVerifies_isA503WhileTheStorageIsFull_neverPassedOnUnchecked() throws Exception {
        CacheEngine engine = engine(new StorageLimits(MIB, 0.95, 0.85, 0));
        AtomicInteger checks = new AtomicInteger();
        ProxyResponse r = engine.serve(fileChecked("large", checks));
        assertEquals(503, r.status());
        assertTrue(r.headers().first("Retry-After").isPresent());
        ProxyResponse small = engine.serve(fileChecked("small", checks));
        assertArrayEquals(SMALL, Bodies.of(small), "what fits is stored and checked as usual");
        assertEquals(1, checks.get());
    }

    @Test
    void aFileCheckedBodyWithADigestToo_passesWhileTheStorageIsFull_checkedAgainstTheDigest() throws Exception {
        CacheEngine engine = engine(new StorageLimits(MIB, 0.95, 0.85, 0));
        AtomicInteger checks = new AtomicInteger();
        CacheRequest digested = CacheRequest.builder("large", CacheRule.immutable(Expiration.DEFAULT), "large")
                .expect(List.of(Digest.of(DigestAlgorithm.SHA256, DigestAlgorithm.SHA256.newMessageDigest().digest(LARGE))))
                .checkFile(file -> {
                    checks.incrementAndGet();
                    return Optional.empty();
                }).build();
        ProxyResponse r = engine.serve(digested);
        assertEquals(CacheStatus.BYPASS, r.cache());
        assertArrayEquals(LARGE, Bodies.of(r));
        assertEquals(0, checks.get(), "nothing stored, nothing for the file check to read");
    }

    @Test
    void aBodyOnlyAWholeFileCheckVerifies_isCutWhenTheDiskFillsUpUnderIt() throws Exception {
        CacheEngine engine = engine(new StorageLimits(0, 0.95, 0.85, 0));
        disk.failWritesAfter = MIB / 2;
        AtomicInteger checks = new AtomicInteger();
        assertThrows(IOException.class, () -> Bodies.of(engine.serve(fileChecked("large", checks))),
                "the part past the full disk could not be checked: the client never gets the whole body");
        assertEquals(0, checks.get());
        assertEquals(0, files.stats().objects());
        assertTempEmpty();
    }

    @Test
    void requestsJoinedToAnUnstoredFillEachGetTheWholeBody() throws Exception {
        CacheEngine engine = engine(new StorageLimits(MIB, 0.95, 0.85, 0));
        List<Future<byte[]>> bodies = Stream.generate(() -> threads.submit(() -> Bodies.of(engine.serve(request("slow")))))
                .limit(4).toList();
        for (Future<byte[]> b : bodies) {
            assertArrayEquals(LARGE, b.get(30, TimeUnit.SECONDS));
        }
        assertEquals(0, files.stats().objects());
    }

    @Test
    void aDocumentTheModeMustTransformIsRefusedWith503WhenItCannotBeStored() {
        CacheEngine engine = engine(new StorageLimits(MIB, 0.95, 0.85, 0));
        ProxyResponse r = engine.serveComplete(request("large"));
        assertEquals(503, ((ProxyResponse.Document) r).status());
        assertTrue(((ProxyResponse.Document) r).headers().first("Retry-After").isPresent());
    }

    @Test
    void aDocumentTheModeCanTakeAsItStreams_isPassedThroughWhenItCannotBeStored() throws Exception {
        CacheEngine engine = engine(new StorageLimits(MIB, 0.95, 0.85, 0));
        ProxyResponse r = engine.serveCompleteOrPassed(request("large"));
        assertInstanceOf(ProxyResponse.Streamed.class, r);
        assertEquals(200, r.status());
        assertArrayEquals(LARGE, Bodies.of(r));
        assertEquals(0, files.stats().objects(), "nothing kept");
        ProxyResponse small = engine.serveCompleteOrPassed(request("small"));
        assertInstanceOf(ProxyResponse.Stored.class, small, "what can be stored is, as serveComplete does");
    }

    private void assertTempEmpty() throws IOException {
        try (Stream<Path> tmp = Files.list(dir.resolve("tmp"))) {
            assertEquals(0, tmp.count(), "no partial file left behind");
        }
    }

    private static byte[] large() {
        byte[] b = new byte[(int) (2 * MIB)];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + (i >> 11));
        }
        return b;
    }

    /** The file store on a disk whose free space the test sets, and which can run out mid-write. */
    static final class FillingDisk extends DelegatingBlobStore {
        volatile long free = Long.MAX_VALUE;
        volatile long failWritesAfter = -1;

        FillingDisk(BlobStore files) {
            super(files);
        }

        @Override
        public long usableSpace() {
            return free;
        }

        @Override
        public BlobWriter newWriter(List<Digest> expected) throws IOException {
            return new DelegatingWriter(delegate.newWriter(expected)) {
                @Override
                public void write(ByteBuffer buffer) throws IOException {
                    long limit = failWritesAfter;
                    if (limit >= 0 && written() + buffer.remaining() > limit) {
                        throw new IOException("No space left on device");
                    }
                    super.write(buffer);
                }
            };
        }
    }

    /** Waits for fills still writing (a body a test did not read to the end) before the temp directory is deleted. */
    private static void awaitFills(java.util.concurrent.ExecutorService threads) {
        try {
            threads.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
