package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only a separate process can show: an object four times the proxy's heap streams through on a
 * miss and on a hit; and a kill -9 in the middle of a fill leaves nothing that is ever served, with
 * the temp file swept when the proxy starts again on the same storage.
 */
class CrashAndHeapIT {
    private static final int BLOCK = 1024 * 1024;

    @TempDir
    Path dir;

    private final AtomicInteger upstreamRequests = new AtomicInteger();
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer upstream;
    /** Pause between 1 MiB blocks, per path: zero for the big object, slow for the one killed mid-fill. */
    private volatile long pauseMillis;

    @BeforeEach
    void start() throws IOException {
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", ex -> {
            upstreamRequests.incrementAndGet();
            int blocks = Integer.parseInt(ex.getRequestURI().getPath().replaceAll("\\D", ""));
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, (long) blocks * BLOCK);
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < blocks; i++) {
                    out.write(block(i));
                    if (pauseMillis > 0) {
                        out.flush();
                        Thread.sleep(pauseMillis);
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the proxy died mid-body: that is the point of one of the tests
            }
        });
        upstream.setExecutor(Executors.newCachedThreadPool());
        upstream.start();
    }

    @AfterEach
    void stop() {
        upstream.stop(0);
    }

    /** Deterministic, incompressible-enough content: block i is its index followed by a pattern. */
    private static byte[] block(int i) {
        ByteBuffer b = ByteBuffer.allocate(BLOCK);
        long x = 0x9E3779B97F4A7C15L * (i + 1);
        while (b.hasRemaining()) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b.putLong(x);
        }
        return b.array();
    }

    private static byte[] expectedDigest(int blocks) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < blocks; i++) {
            sha.update(block(i));
        }
        return sha.digest();
    }

    private String yaml() {
        return """
                server:
                  bind: 127.0.0.1:0
                  backend: %s
                instances:
                  - name: files
                    enabled: true
                    file:
                      route: { path: /files }
                      upstreams: [http://127.0.0.1:%d]
                      default_policy: immutable
                """.formatted(dir.resolve("data"), upstream.getAddress().getPort());
    }

    /** Streams a response into a digest; returns the X-Cache header and the digest. */
    private record Fetched(int status, String cache, byte[] digest, long length) {}

    private Fetched fetch(ForkedProxy proxy, String path) throws Exception {
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(proxy.uri(path)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        long length = 0;
        try (InputStream in = r.body()) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                sha.update(buf, 0, n);
                length += n;
            }
        }
        return new Fetched(r.statusCode(), r.headers().firstValue("X-Cache").orElse(""), sha.digest(), length);
    }

    @Test
    void objectFourTimesTheHeap_streamsThroughOnMissAndHit() throws Exception {
        int blocks = 256; // 256 MiB through a proxy with a 64 MiB heap
        byte[] expected = expectedDigest(blocks);
        try (ForkedProxy proxy = ForkedProxy.start(dir.resolve("run"), yaml(), "-Xmx64m")) {
            Fetched miss = fetch(proxy, "/files/big-" + blocks + ".bin");
            assertEquals(200, miss.status());
            assertEquals("MISS", miss.cache());
            assertEquals((long) blocks * BLOCK, miss.length());
            assertArrayEquals(expected, miss.digest());

            Fetched hit = fetch(proxy, "/files/big-" + blocks + ".bin");
            assertEquals("HIT", hit.cache());
            assertArrayEquals(expected, hit.digest());
            assertTrue(proxy.isAlive(), "the proxy survived:\n" + proxy.log());
            assertFalse(proxy.log().contains("OutOfMemoryError"), proxy.log());
        }
        assertEquals(1, upstreamRequests.get());
    }

    @Test
    void killMinus9MidFill_nothingPartialIsServed_andTheTempFileIsSweptOnRestart() throws Exception {
        int blocks = 16;
        pauseMillis = 200; // about 3 s for the whole object: the kill lands in the middle
        ForkedProxy first = ForkedProxy.start(dir.resolve("run1"), yaml());
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(first.uri("/files/crash-" + blocks + ".bin")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        r.body().readNBytes(2 * BLOCK); // the fill is under way
        first.kill9();
        r.body().close();
        Path tmp = dir.resolve("data").resolve("tmp");
        assertTrue(countFiles(tmp) > 0, "the killed fill left its temp file behind (what the sweep is for)");

        pauseMillis = 0;
        try (ForkedProxy second = ForkedProxy.start(dir.resolve("run2"), yaml())) {
            assertEquals(0, countFiles(tmp), "temp files are swept at start-up");
            Fetched again = fetch(second, "/files/crash-" + blocks + ".bin");
            assertEquals("MISS", again.cache(), "the partial object was never published");
            assertEquals((long) blocks * BLOCK, again.length());
            assertArrayEquals(expectedDigest(blocks), again.digest());
            assertEquals("HIT", fetch(second, "/files/crash-" + blocks + ".bin").cache());
        }
        assertEquals(2, upstreamRequests.get());
    }

    private static long countFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).count();
        }
    }
}
