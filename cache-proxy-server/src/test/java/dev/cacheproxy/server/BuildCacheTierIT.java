package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two office build caches in front of one central one ({@code buildcache.upstream}): what one office's
 * builds upload reaches the central cache in the background and the other office reads it through; a key
 * read through is served locally from then on, with the central cache gone too; a miss while the central
 * cache is down is a miss (404), which every client builds through, never a 5xx that turns caches off.
 */
class BuildCacheTierIT {
    private static final String CENTRAL_TOKEN = "office-to-central";

    @TempDir
    Path dir;

    private TestProxy central;
    private final List<TestProxy> offices = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        central = TestProxy.start(dir.resolve("central"), "", """
                  - name: central
                    enabled: true
                    access:
                      principals:
                        - { name: offices, scope: write, token: "%s" }
                    buildcache:
                      route: { path: /cache }
                """.formatted(CENTRAL_TOKEN), "http://127.0.0.1:9");
        for (String office : List.of("berlin", "lisbon")) {
            offices.add(TestProxy.start(dir.resolve(office), "", """
                      - name: %s
                        enabled: true
                        access:
                          principals:
                            - { name: ci, scope: write, token: "%s" }
                        buildcache:
                          route: { path: /cache }
                          upstream: ${UPSTREAM}
                          upstream_token: "%s"
                    """.formatted(office, BuildCacheIT.WRITE_TOKEN, CENTRAL_TOKEN), central.uri("/cache").toString()));
        }
    }

    @AfterEach
    void stop() {
        offices.forEach(TestProxy::close);
        if (central != null) {
            central.close();
        }
    }

    private HttpResponse<byte[]> put(TestProxy proxy, String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(path)).PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Authorization", "Bearer " + BuildCacheIT.WRITE_TOKEN);
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private void awaitStatus(TestProxy proxy, String path, int status) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (proxy.get(path).statusCode() != status) {
            assertTrue(System.nanoTime() < deadline, path + " never answered " + status);
            Thread.sleep(50);
        }
    }

    @Test
    void anUploadReachesTheCentralCache_andTheOtherOfficeReadsItThrough_thenServesItWithoutTheCentralCache()
            throws Exception {
        byte[] body = new byte[700_000];
        new Random(1).nextBytes(body);
        assertEquals(200, put(offices.get(0), "/cache/gradle/0123abcd", body).statusCode());
        awaitStatus(central, "/cache/gradle/0123abcd", 200);
        assertArrayEquals(body, central.get("/cache/gradle/0123abcd").body(), "forwarded whole, in the background");

        HttpResponse<byte[]> through = offices.get(1).get("/cache/gradle/0123abcd");
        assertEquals(200, through.statusCode());
        assertEquals("MISS", through.headers().firstValue("X-Cache").orElse(""), "read through from the central cache");
        assertArrayEquals(body, through.body());
        assertEquals("HIT", offices.get(1).get("/cache/gradle/0123abcd").headers().firstValue("X-Cache").orElse(""));

        central.close();
        central = null;
        HttpResponse<byte[]> alone = offices.get(1).get("/cache/gradle/0123abcd");
        assertEquals(200, alone.statusCode(), "kept here");
        assertArrayEquals(body, alone.body());
        HttpResponse<byte[]> missing = offices.get(1).get("/cache/gradle/never-built");
        assertEquals(404, missing.statusCode(), "a miss, never a 5xx: Gradle would turn its cache off for the build");
        assertTrue(new String(missing.body(), StandardCharsets.UTF_8).contains("central build cache"),
                new String(missing.body(), StandardCharsets.UTF_8));
    }

    @Test
    void turboSignaturesAndNxRecordsTravelThroughTheTiers() throws Exception {
        assertEquals(200, put(offices.get(0), "/cache/v8/artifacts/feed01?slug=web", "signed".getBytes(StandardCharsets.UTF_8),
                "x-artifact-tag", "dGFn").statusCode());
        assertEquals(200, put(offices.get(0), "/cache/v1/cache/4242", "nx".getBytes(StandardCharsets.UTF_8)).statusCode());
        awaitStatus(central, "/cache/v8/artifacts/feed01?slug=web", 200);
        awaitStatus(central, "/cache/v1/cache/4242", 200);
        HttpResponse<byte[]> turbo = offices.get(1).get("/cache/v8/artifacts/feed01?slug=web");
        assertEquals("signed", new String(turbo.body(), StandardCharsets.UTF_8));
        assertEquals("dGFn", turbo.headers().firstValue("x-artifact-tag").orElse(""), "the signature came through both hops");
        assertEquals(404, offices.get(1).get("/cache/v8/artifacts/feed01?slug=other").statusCode(), "per team, centrally too");
        assertEquals("nx", new String(offices.get(1).get("/cache/v1/cache/4242").body(), StandardCharsets.UTF_8));
    }

    @Test
    void ccacheOnTwoOffices_machineAInBerlinFills_machineBInLisbonHitsRemotely() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("tier.c"), "int main(void) { return 42; }\n");
        String berlin = "http://127.0.0.1:" + offices.get(0).port() + "/cache/cc|bearer-token=" + BuildCacheIT.WRITE_TOKEN;
        String lisbon = "http://127.0.0.1:" + offices.get(1).port() + "/cache/cc|bearer-token=" + BuildCacheIT.WRITE_TOKEN;
        ccache(src, "A", berlin);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!new String(central.get("/-/entries/central?prefix=cc/").body()).contains("\"key\"")) {
            assertTrue(System.nanoTime() < deadline, "nothing reached the central cache");
            Thread.sleep(50);
        }
        Thread.sleep(300); // both of the compile's keys (a manifest and a result)
        String stats = ccache(src, "B", lisbon);
        assertTrue(stats.lines().anyMatch(l -> l.matches("remote_storage_hit\\t[1-9]\\d*")), "machine B compiled nothing: " + stats);
    }

    private String ccache(Path src, String machine, String remote) throws Exception {
        List<String> env = List.of("env", "CCACHE_DIR=" + dir.resolve("ccache-" + machine), "CCACHE_REMOTE_STORAGE=" + remote);
        List<String> compile = new ArrayList<>(env);
        compile.addAll(List.of("ccache", "gcc", "-c", "tier.c", "-o", machine + ".o"));
        Commands.run(src, compile, 120);
        List<String> stats = new ArrayList<>(env);
        stats.addAll(List.of("ccache", "--print-stats"));
        return Commands.run(src, stats, 60);
    }
}
