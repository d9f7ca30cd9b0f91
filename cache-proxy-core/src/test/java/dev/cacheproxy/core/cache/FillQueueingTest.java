package dev.cacheproxy.core.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.fetch.FillLimiter;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.testing.MutableClock;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamClient;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code storage.download.max_active} / {@code max_active_per_instance}: fills over the limit wait
 * their turn and then succeed; the upstream never sees more concurrent fetches than the limit.
 */
class FillQueueingTest {
    private static final int FILLS = 6;

    @TempDir
    Path dir;

    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger maxConcurrent = new AtomicInteger();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private HttpServer upstream;
    private FileBlobStore store;

    @BeforeEach
    void start() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", ex -> {
            maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
            try {
                byte[] body = ex.getRequestURI().getPath().getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                Thread.sleep(150); // long enough for every fill to be queued behind the first
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                concurrent.decrementAndGet();
            }
        });
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.start();
        store = FileBlobStore.open(dir);
    }

    @AfterEach
    void stop() throws Exception {
        upstream.stop(0);
        threads.shutdownNow();
        awaitFills(threads);
        store.close();
    }

    private CacheEngine engine(String instance, FillLimiter limiter) {
        URI base = URI.create("http://127.0.0.1:" + upstream.getAddress().getPort());
        return new CacheEngine(instance, store, new EntryIndex(dir.resolve("index"), instance, dir.resolve("tmp"), 100),
                new UpstreamClient(instance, List.of(base), TransportSettings.DEFAULTS, CacheEvents.NONE), limiter,
                Duration.ofMinutes(1), MutableClock.atEpochDay(), CacheEvents.NONE, threads);
    }

    private List<Future<byte[]>> request(CacheEngine engine, String prefix) {
        List<Future<byte[]>> bodies = new ArrayList<>();
        for (int i = 0; i < FILLS; i++) {
            String key = prefix + "/" + i;
            bodies.add(threads.submit(() -> CacheEngineTest.body(engine.serve(
                    CacheRequest.builder(key, CacheRule.immutable(Expiration.DEFAULT), key).build()))));
        }
        return bodies;
    }

    private static void assertAllSucceed(List<Future<byte[]>> bodies, String prefix) throws Exception {
        for (int i = 0; i < bodies.size(); i++) {
            assertArrayEquals(("/" + prefix + "/" + i).getBytes(StandardCharsets.UTF_8), bodies.get(i).get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void globalLimit_queuesFillsInsteadOfFailingThem() throws Exception {
        CacheEngine engine = engine("a", new FillLimiter(2, 8));
        List<Future<byte[]>> bodies = request(engine, "g");
        assertAllSucceed(bodies, "g");
        assertEquals(2, maxConcurrent.get());
    }

    @Test
    void perInstanceLimit_holdsOneInstanceWhileAnotherProceeds() throws Exception {
        FillLimiter shared = new FillLimiter(8, 1);
        List<Future<byte[]>> a = request(engine("a", shared), "a");
        List<Future<byte[]>> b = request(engine("b", shared), "b");
        assertAllSucceed(a, "a");
        assertAllSucceed(b, "b");
        // one fill per instance at a time, two instances: never more than two at the upstream
        assertEquals(2, maxConcurrent.get());
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
