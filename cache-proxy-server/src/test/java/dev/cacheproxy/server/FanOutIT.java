package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Single flight with fan-out: many clients, one uncached large object, a throttled upstream. Exactly
 * one upstream request; every client gets identical bytes; every client's first bytes arrive before
 * the upstream has finished sending. Also: a client that leaves mid-fill does not stop the fill.
 */
class FanOutIT {
    private static final int SIZE = 32 * 1024 * 1024;
    private static final int CLIENTS = 50;

    @TempDir
    Path dir;

    private final byte[] content = new byte[SIZE];
    private final AtomicInteger upstreamRequests = new AtomicInteger();
    private final AtomicLong upstreamFinishedAt = new AtomicLong(Long.MAX_VALUE);
    private HttpServer upstream;
    private TestProxy proxy;

    @BeforeEach
    void start() throws Exception {
        new Random(42).nextBytes(content);
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", ex -> {
            upstreamRequests.incrementAndGet();
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, SIZE);
            try (OutputStream out = ex.getResponseBody()) {
                // ~4 s for 32 MiB: slow enough that every client joins while the fill runs.
                for (int off = 0; off < SIZE; off += 256 * 1024) {
                    out.write(content, off, Math.min(256 * 1024, SIZE - off));
                    out.flush();
                    Thread.sleep(30);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            upstreamFinishedAt.set(System.nanoTime());
        });
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.start();
        proxy = TestProxy.startFile(dir, "http://127.0.0.1:" + upstream.getAddress().getPort(), "      default_policy: immutable\n");
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        upstream.stop(0);
        // a fill is detached from its clients: cut by the upstream's stop, it removes its temp file a moment
        // later, and the temp directory can only be deleted after that
        java.nio.file.Path tmp = dir.resolve("tmp");
        for (int i = 0; i < 200 && java.nio.file.Files.isDirectory(tmp); i++) {
            try (var files = java.nio.file.Files.list(tmp)) {
                if (files.findAny().isEmpty()) {
                    break;
                }
            }
            Thread.sleep(50);
        }
    }

    @Test
    void fiftyConcurrentClients_oneUpstreamFetch_identicalBytes_streamedAsTheyArrive() throws Exception {
        HttpClient client = HttpClient.newBuilder().build();
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        CountDownLatch go = new CountDownLatch(1);
        List<Future<long[]>> results = new ArrayList<>();
        byte[] expected = MessageDigest.getInstance("SHA-256").digest(content);
        for (int i = 0; i < CLIENTS; i++) {
            results.add(pool.submit(() -> {
                go.await();
                HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(proxy.uri("/files/big.bin")).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                long firstByteAt = 0;
                long total = 0;
                try (InputStream in = r.body()) {
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        if (n > 0 && firstByteAt == 0) {
                            firstByteAt = System.nanoTime();
                        }
                        md.update(buf, 0, n);
                        total += n;
                    }
                }
                assertArrayEquals(expected, md.digest(), "identical bytes");
                return new long[] {r.statusCode(), total, firstByteAt};
            }));
        }
        go.countDown();
        for (Future<long[]> f : results) {
            long[] r = f.get(120, TimeUnit.SECONDS);
            assertEquals(200, r[0]);
            assertEquals(SIZE, r[1]);
            assertTrue(r[2] < upstreamFinishedAt.get(), "first bytes arrived before the upstream finished");
        }
        assertEquals(1, upstreamRequests.get(), "exactly one upstream request");
        pool.shutdownNow();
    }

    @Test
    void clientLeavesMidFill_fillCompletes_nextRequestIsAHit() throws Exception {
        HttpClient client = HttpClient.newBuilder().build();
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(proxy.uri("/files/left.bin")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        r.body().readNBytes(1024 * 1024);
        r.body().close(); // the client goes away
        for (int i = 0; i < 300 && upstreamFinishedAt.get() == Long.MAX_VALUE; i++) {
            Thread.sleep(50);
        }
        HttpResponse<byte[]> again = null;
        for (int i = 0; i < 100; i++) {
            again = client.send(HttpRequest.newBuilder(proxy.uri("/files/left.bin")).build(), HttpResponse.BodyHandlers.ofByteArray());
            if ("HIT".equals(again.headers().firstValue("X-Cache").orElse(""))) {
                break;
            }
            Thread.sleep(100);
        }
        assertEquals("HIT", again.headers().firstValue("X-Cache").orElseThrow());
        assertArrayEquals(content, again.body());
        assertEquals(1, upstreamRequests.get());
    }


    /** Starts the slow fill and waits until the proxy has some of it (a MISS that is still streaming). */
    private HttpResponse<InputStream> startFill(HttpClient client, String path) throws Exception {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(proxy.uri(path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        r.body().readNBytes(1024 * 1024);
        return r;
    }

    @Test
    void rangeAndHeadDuringAFill_answeredFromTheGrowingFile_withoutASecondUpstreamRequest() throws Exception {
        HttpClient client = HttpClient.newBuilder().build();
        HttpResponse<InputStream> filling = startFill(client, "/files/ranged.bin");

        HttpResponse<Void> head = client.send(HttpRequest.newBuilder(proxy.uri("/files/ranged.bin"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(SIZE), head.headers().firstValue("Content-Length").orElseThrow());
        assertEquals("bytes", head.headers().firstValue("Accept-Ranges").orElseThrow());

        HttpResponse<byte[]> early = proxy.get("/files/ranged.bin", "Range", "bytes=100-199");
        assertEquals(206, early.statusCode());
        assertEquals("bytes 100-199/" + SIZE, early.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(java.util.Arrays.copyOfRange(content, 100, 200), early.body());
        assertTrue(upstreamFinishedAt.get() == Long.MAX_VALUE, "answered while the upstream was still sending");

        HttpResponse<byte[]> suffix = proxy.get("/files/ranged.bin", "Range", "bytes=-1000");
        assertEquals(206, suffix.statusCode());
        assertArrayEquals(java.util.Arrays.copyOfRange(content, SIZE - 1000, SIZE), suffix.body(),
                "a range past what has arrived waits for those bytes");

        HttpResponse<byte[]> beyond = proxy.get("/files/ranged.bin", "Range", "bytes=" + SIZE + "-");
        assertEquals(416, beyond.statusCode(), beyond.headers().toString());
        assertEquals("bytes */" + SIZE, beyond.headers().firstValue("Content-Range").orElseThrow());

        filling.body().close();
        assertEquals(1, upstreamRequests.get());
    }
}
