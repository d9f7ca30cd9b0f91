package dev.cacheproxy.core.cache;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.fetch.FillLimiter;
import dev.cacheproxy.core.fetch.FillListener;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.testing.DelegatingBlobStore;
import dev.cacheproxy.core.testing.MutableClock;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamClient;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fill's readers finish once its body is verified, before it is made durable (issue 20: a small
 * package's miss waited for four fsyncs); whoever asks for the key in between waits for the entry and
 * is served it, so nothing is fetched twice and a mode reading the stored body sees it.
 */
class VerifiedBeforeDurableTest {
    private static final String TEXT = "verified before it is durable";
    private static final byte[] BODY = TEXT.getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final CountDownLatch commitMayRun = new CountDownLatch(1);
    private final CountDownLatch commitReached = new CountDownLatch(1);
    private FileBlobStore files;
    private CacheEngine engine;

    @BeforeEach
    void start() throws IOException {
        up.start();
        up.stubFor(get("/p.deb").willReturn(aResponse().withBody(BODY)));
        files = FileBlobStore.open(dir);
        engine = new CacheEngine("test", new HeldCommits(files),
                new EntryIndex(dir.resolve("index"), "test", dir.resolve("tmp"), 1000),
                new UpstreamClient("test", List.of(URI.create(up.baseUrl())), TransportSettings.DEFAULTS, CacheEvents.NONE),
                new FillLimiter(8, 8), Duration.ofMinutes(1), MutableClock.atEpochDay(), CacheEvents.NONE, threads);
    }

    @AfterEach
    void stop() throws IOException {
        commitMayRun.countDown();
        up.stop();
        threads.shutdownNow();
        awaitFills(threads);
        files.close();
    }

    @Test
    void theClientIsDoneBeforeTheCommit_andTheNextRequestWaitsForTheEntry() throws Exception {
        CacheRequest req = CacheRequest.builder("p.deb", CacheRule.immutable(Expiration.DEFAULT), "p.deb")
                .expect(List.of(Digest.sha256Of(TEXT))).build();
        ProxyResponse.Filling first = assertInstanceOf(ProxyResponse.Filling.class, engine.serve(req));
        long total = completion(first).get(10, TimeUnit.SECONDS); // while the commit is held back
        assertTrue(commitReached.await(10, TimeUnit.SECONDS));
        assertEquals(BODY.length, total);
        assertArrayEquals(BODY, read(first, total));

        Future<ProxyResponse> second = threads.submit(() -> engine.serve(req));
        Future<Optional<BlobFile>> stored = threads.submit(() -> engine.storedBlob("p.deb", Expiration.DEFAULT));
        assertFalse(first.fill().settled().isDone(), "the commit is still held back");
        commitMayRun.countDown();

        ProxyResponse again = second.get(10, TimeUnit.SECONDS);
        assertEquals(CacheStatus.HIT, again.cache(), "served from the entry, not from a second fill");
        assertTrue(stored.get(10, TimeUnit.SECONDS).isPresent(), "a body already given out counts as stored");
        up.verify(1, getRequestedFor(urlEqualTo("/p.deb")));
    }

    private static CompletableFuture<Long> completion(ProxyResponse.Filling f) {
        CompletableFuture<Long> done = new CompletableFuture<>();
        f.fill().subscribe(new FillListener() {
            @Override
            public void onProgress(long available) {}

            @Override
            public void onComplete(long total) {
                done.complete(total);
            }

            @Override
            public void onAbort(String reason) {
                done.completeExceptionally(new IOException(reason));
            }
        });
        return done;
    }

    private static byte[] read(ProxyResponse.Filling f, long total) throws IOException {
        try (FileChannel ch = f.fill().openReader()) {
            ByteBuffer b = ByteBuffer.allocate((int) total);
            while (b.hasRemaining() && ch.read(b) >= 0) {
                // read on
            }
            return b.array();
        }
    }

    /** The file store, with every commit held until the test lets it run. */
    private final class HeldCommits extends DelegatingBlobStore {
        HeldCommits(BlobStore files) {
            super(files);
        }

        @Override
        public BlobWriter newWriter(List<Digest> expected) throws IOException {
            return new DelegatingWriter(delegate.newWriter(expected)) {
                @Override
                public BlobFile commit() throws IOException {
                    commitReached.countDown();
                    try {
                        commitMayRun.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException(e);
                    }
                    return delegate.commit();
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
