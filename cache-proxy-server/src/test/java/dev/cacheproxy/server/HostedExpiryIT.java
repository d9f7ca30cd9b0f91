package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hosted cache's {@code expire_after} end to end, without a size quota: an entry stored before a restart
 * (whose last use only the start-up scan of the index knows) goes at a cleanup run once unused that long, while
 * an entry read all along stays. Until the seventh session this never happened without {@code storage.max_size}:
 * the scan ran only with a quota, and cleanup removed nothing from a table it did not know to be complete.
 */
class HostedExpiryIT {
    private static final String TOP = """
            storage:
              cleanup: { interval: 1s }
            """;
    private static final String INSTANCES = """
              - name: builds
                enabled: true
                access: { anonymous: write }
                buildcache:
                  route: { path: /cache }
                  expire_after: 4s
            """;

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void anEntryUnusedForExpireAfterGoes_evenFromBeforeARestart_andOneInUseStays() throws Exception {
        Path store = dir.resolve("store");
        try (TestProxy first = TestProxy.start(store, TOP, INSTANCES, "http://127.0.0.1:9")) {
            assertEquals(200, put(first, "/cache/old", "stored before the restart"));
        }
        try (TestProxy proxy = TestProxy.start(store, TOP, INSTANCES, "http://127.0.0.1:9")) {
            assertEquals(200, put(proxy, "/cache/kept", "read all along"));
            // /cache/old is not touched while waiting: a read would be a use
            long deadline = System.nanoTime() + 40_000_000_000L;
            double stored;
            while ((stored = storedEntries(proxy)) != 1 && System.nanoTime() < deadline) {
                assertEquals(200, proxy.get("/cache/kept").statusCode());
                Thread.sleep(300);
            }
            assertEquals(1, stored, "one entry went at a cleanup run");
            assertEquals(404, proxy.get("/cache/old").statusCode(), "the entry unused for expire_after went");
            assertEquals(200, proxy.get("/cache/kept").statusCode(), "the entry in use stayed");
        }
    }

    private int put(TestProxy proxy, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(proxy.uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static double storedEntries(TestProxy proxy) throws Exception {
        return TestProxy.metric(new String(proxy.get("/metrics").body()), "cache_proxy_stored_entries");
    }
}
