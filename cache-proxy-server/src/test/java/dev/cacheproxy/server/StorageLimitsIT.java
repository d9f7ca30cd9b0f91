package dev.cacheproxy.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage limits in the real server: a full disk (a small tmpfs, filled by a ballast file) turns
 * misses into whole pass-through bodies while hits go on, shows in readiness, the home page and the
 * metrics, and storing resumes once the ballast is gone; the size quota evicts the least recently used
 * entry. Needs root (mount), as CI has.
 */
class StorageLimitsIT {
    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private Path disk;
    private TestProxy proxy;

    @BeforeEach
    void start() throws Exception {
        up.start();
        for (String name : List.of("a", "b", "c", "d")) {
            byte[] body = body(name);
            up.stubFor(get("/" + name + ".bin").willReturn(aResponse().withBody(body)
                    .withHeader("Content-Length", Integer.toString(body.length))));
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        up.stop();
        if (disk != null) {
            Commands.run(dir, List.of("umount", disk.toString()), 30);
        }
    }

    @Test
    void aFullDiskPassesMissesThroughWholeServesHitsAndRecovers() throws Exception {
        disk = dir.resolve("disk");
        Files.createDirectories(disk);
        Commands.run(dir, List.of("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", disk.toString()), 30);
        proxy = TestProxy.start(disk.resolve("store"), """
                storage:
                  min_free: 4MiB
                """, files(), up.baseUrl());

        assertEquals("MISS", fetch("a").headers().firstValue("X-Cache").orElseThrow());
        assertEquals("HIT", fetch("a").headers().firstValue("X-Cache").orElseThrow());
        assertEquals("ready\n", new String(proxy.get("/-/readyz").body()));

        Path ballast = disk.resolve("ballast");
        long free = Files.getFileStore(disk).getUsableSpace();
        fill(ballast, free - 2 * MIB); // 2 MiB left: below min_free

        HttpResponse<byte[]> passed = fetch("b");
        assertEquals("BYPASS", passed.headers().firstValue("X-Cache").orElseThrow());
        assertEquals("HIT", fetch("a").headers().firstValue("X-Cache").orElseThrow(), "hits go on");
        assertEquals("BYPASS", fetch("b").headers().firstValue("X-Cache").orElseThrow(), "still not stored");
        assertNothingPartial();
        HttpResponse<byte[]> ready = proxy.get("/-/readyz");
        assertEquals(200, ready.statusCode(), "a node that serves its hits stays in the load balancer");
        assertTrue(new String(ready.body()).contains("storage full"), new String(ready.body()));
        assertTrue(new String(proxy.get("/").body()).contains("FULL: fills pass through"));
        assertTrue(new String(proxy.get("/metrics").body()).contains("cache_proxy_storage_full 1.0"));
        assertTrue(new String(proxy.get("/metrics").body())
                .contains("cache_proxy_fills_unstored_total{instance=\"files\",reason=\"disk_full\"} 2.0"));

        Files.delete(ballast);
        assertEquals("MISS", fetch("b").headers().firstValue("X-Cache").orElseThrow(), "stored again");
        assertEquals("HIT", fetch("b").headers().firstValue("X-Cache").orElseThrow());
        assertEquals("ready\n", new String(proxy.get("/-/readyz").body()));
        assertTrue(new String(proxy.get("/metrics").body()).contains("cache_proxy_storage_full 0.0"));
    }

    @Test
    void aDiskThatFillsUpMidFillStillGivesTheClientTheWholeBody_andStoresNothing() throws Exception {
        disk = dir.resolve("disk");
        Files.createDirectories(disk);
        Commands.run(dir, List.of("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", disk.toString()), 30);
        byte[] body = body("slow");
        // chunked, no length: the fill is admitted, then the disk fills up under it
        up.stubFor(get("/slow.bin").willReturn(aResponse().withBody(body).withChunkedDribbleDelay(40, 4000)));
        proxy = TestProxy.start(disk.resolve("store"), """
                storage:
                  min_free: 1MiB
                """, files(), up.baseUrl());

        Thread filler = Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(1000); // a quarter of the body is on disk by now
                fill(disk.resolve("ballast"), Long.MAX_VALUE); // until "no space left on device"
            } catch (IOException | InterruptedException e) {
                // the disk is full
            }
        });
        HttpResponse<byte[]> r = proxy.get("/files/slow.bin");
        filler.join();
        assertEquals(200, r.statusCode());
        assertEquals("MISS", r.headers().firstValue("X-Cache").orElseThrow());
        assertArrayEquals(body, r.body(), "the whole body, though the disk filled up under its fill");
        assertNothingPartial();
        assertEquals(List.of(), TestProxy.storedBlobs(disk.resolve("store")), "nothing stored");
        awaitMetric("cache_proxy_fills_unstored_total{instance=\"files\",reason=\"disk_full\"} 1.0");
        HttpResponse<byte[]> next = proxy.get("/files/slow.bin");
        assertEquals("BYPASS", next.headers().firstValue("X-Cache").orElseThrow(), "the disk is still full");
        assertArrayEquals(body, next.body());
    }

    @Test
    void theQuotaEvictsTheLeastRecentlyUsedEntry() throws Exception {
        // 3 MiB bodies under a 10 MiB quota: eviction starts above 9.5 MiB and aims for 8.5 MiB
        proxy = TestProxy.start(dir.resolve("store"), """
                storage:
                  max_size: 10MiB
                  min_free: 0
                """, files(), up.baseUrl());
        for (String name : List.of("a", "b", "c")) {
            assertEquals("MISS", fetch(name).headers().firstValue("X-Cache").orElseThrow());
        }
        Thread.sleep(11_000); // past the seconds an entry counts as in use
        assertEquals("HIT", fetch("b").headers().firstValue("X-Cache").orElseThrow());
        assertEquals("HIT", fetch("c").headers().firstValue("X-Cache").orElseThrow());
        assertEquals("MISS", fetch("d").headers().firstValue("X-Cache").orElseThrow()); // 12 MiB: over

        String evicted = awaitMetric("cache_proxy_evicted_entries_total 1.0");
        assertTrue(evicted.contains("cache_proxy_storage_quota_bytes 1.048576E7"), "the quota is exported");
        for (String name : List.of("b", "c", "d")) {
            assertEquals("HIT", fetch(name).headers().firstValue("X-Cache").orElseThrow(), name + " was used recently");
        }
        assertEquals("MISS", fetch("a").headers().firstValue("X-Cache").orElseThrow(), "a was the least recently used");
    }

    private String awaitMetric(String line) throws Exception {
        for (int i = 0; i < 100; i++) {
            String m = new String(proxy.get("/metrics").body());
            if (m.contains(line)) {
                return m;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no metric line " + line + " within 10 s");
    }

    private static String files() {
        return TestProxy.FILE_INSTANCE;
    }

    private HttpResponse<byte[]> fetch(String name) throws Exception {
        HttpResponse<byte[]> r = proxy.get("/files/" + name + ".bin");
        assertEquals(200, r.statusCode());
        assertArrayEquals(body(name), r.body(), "the whole body of " + name);
        return r;
    }

    private void assertNothingPartial() throws IOException {
        try (Stream<Path> tmp = Files.list(disk.resolve("store").resolve("tmp"))) {
            assertFalse(tmp.findAny().isPresent(), "no temp file left behind");
        }
    }

    private static void fill(Path file, long bytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            byte[] block = new byte[MIB];
            for (long written = 0; written < bytes; written += block.length) {
                f.write(block, 0, (int) Math.min(block.length, bytes - written));
            }
        }
    }

    private static byte[] body(String name) {
        byte[] b = new byte[3 * MIB];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (name.charAt(0) * 7 + i * 13 + (i >> 10));
        }
        return b;
    }
}
