package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code buildcache} key store by its status codes, and its integrity: a cut upload, one over the size
 * limit (announced or chunked) and a CAS body that is not its key publish nothing; two uploads of one key at
 * once leave one whole body; who may write is the access block's (an instance without one takes no writes).
 */
class BuildCacheApiIT {
    private static final String WRITE = "Bearer " + BuildCacheIT.WRITE_TOKEN;

    @TempDir
    Path dir;

    private TestProxy proxy;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        proxy = TestProxy.start(dir.resolve("store"), "", """
                  - name: builds
                    enabled: true
                    access:
                      principals:
                        - { name: ci, scope: write, token: "%s" }
                        - { name: dev, scope: read, token: "%s" }
                    buildcache:
                      route: { path: /cache }
                      max_object_size: 8MiB
                  - name: unguarded
                    enabled: true
                    buildcache:
                      route: { path: /open }
                """.formatted(BuildCacheIT.WRITE_TOKEN, BuildCacheIT.READ_TOKEN), "http://127.0.0.1:9");
    }

    @AfterEach
    void stop() {
        proxy.close();
    }

    private HttpResponse<byte[]> put(String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(path)).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void putGetHeadDelete_withTheStatusCodesEveryClientTakes() throws Exception {
        byte[] body = random(300_000, 1);
        assertEquals(404, proxy.get("/cache/k/1").statusCode(), "a miss is 404");
        HttpResponse<byte[]> stored = put("/cache/k/1", body, "Authorization", WRITE, "Content-Type",
                "application/vnd.gradle.build-cache-artifact.v1");
        assertEquals(200, stored.statusCode(), "exactly 200 (Nx takes nothing else)");
        HttpResponse<byte[]> got = proxy.get("/cache/k/1");
        assertArrayEquals(body, got.body());
        assertEquals("application/vnd.gradle.build-cache-artifact.v1", got.headers().firstValue("Content-Type").orElse(""));
        assertEquals("HIT", got.headers().firstValue("X-Cache").orElse(""));
        HttpResponse<byte[]> head = http.send(HttpRequest.newBuilder(proxy.uri("/cache/k/1")).HEAD().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, head.statusCode());
        assertEquals(String.valueOf(body.length), head.headers().firstValue("Content-Length").orElse(""));

        byte[] replaced = random(1000, 2);
        assertEquals(200, put("/cache/k/1", replaced, "Authorization", WRITE).statusCode(), "keys are rewritten");
        assertArrayEquals(replaced, proxy.get("/cache/k/1").body());

        HttpRequest delete = HttpRequest.newBuilder(proxy.uri("/cache/k/1")).DELETE().header("Authorization", WRITE).build();
        assertEquals(200, http.send(delete, HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(404, proxy.get("/cache/k/1").statusCode());
        assertEquals(404, http.send(delete, HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    void whoMayWrite_anonymous401_readOnly403_andAnInstanceWithoutAccessRulesTakesNoWrites() throws Exception {
        HttpResponse<byte[]> anonymous = put("/cache/w", new byte[] {1});
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"));
        assertEquals(403, put("/cache/w", new byte[] {1}, "Authorization", "Bearer " + BuildCacheIT.READ_TOKEN).statusCode());
        HttpResponse<byte[]> open = put("/open/w", new byte[] {1});
        assertEquals(403, open.statusCode(), new String(open.body()));
        assertTrue(new String(open.body()).contains("names no principal"), new String(open.body()));
        assertEquals(404, proxy.get("/open/w").statusCode(), "reading stays open");
    }

    @Test
    void bazelCas_aBodyThatIsNotItsKeyIsRefused_andNothingIsStored() throws Exception {
        byte[] body = "hello cache\n".getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        HttpResponse<byte[]> wrong = put("/cache/cas/" + hex, "something else\n".getBytes(StandardCharsets.UTF_8),
                "Authorization", WRITE);
        assertEquals(400, wrong.statusCode());
        assertEquals(404, proxy.get("/cache/cas/" + hex).statusCode());
        assertEquals(200, put("/cache/cas/" + hex, body, "Authorization", WRITE).statusCode());
        assertArrayEquals(body, proxy.get("/cache/cas/" + hex).body());
    }

    @Test
    void overTheSizeLimit_announcedOrChunked_is413_andNothingIsStored() throws Exception {
        byte[] big = random(9 * 1024 * 1024, 3);
        assertEquals(413, put("/cache/big", big, "Authorization", WRITE).statusCode());
        HttpRequest chunked = HttpRequest.newBuilder(proxy.uri("/cache/big-chunked")).header("Authorization", WRITE)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build();
        assertEquals(413, http.send(chunked, HttpResponse.BodyHandlers.discarding()).statusCode(), "counted as it arrives");
        assertEquals(404, proxy.get("/cache/big").statusCode());
        assertEquals(404, proxy.get("/cache/big-chunked").statusCode());
        String metrics = new String(proxy.get("/metrics").body());
        assertTrue(metrics.contains("cache_proxy_uploads_refused_total{instance=\"builds\",protocol=\"other\",reason=\"too_large\"} 2.0"), metrics);
    }

    @Test
    void anUploadCutInTheMiddlePublishesNothing_andLeavesNoTempFile() throws Exception {
        assertEquals(200, put("/cache/cut", "the old body".getBytes(StandardCharsets.UTF_8), "Authorization", WRITE).statusCode());
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            OutputStream out = s.getOutputStream();
            out.write(("PUT /cache/cut HTTP/1.1\r\nHost: x\r\nAuthorization: " + WRITE + "\r\nContent-Length: 1000000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(random(400_000, 4));
            out.flush();
            Thread.sleep(200);
        } // closed with 600,000 bytes missing
        long deadline = System.nanoTime() + 10_000_000_000L;
        String metrics;
        while (!(metrics = new String(proxy.get("/metrics").body()))
                .contains("cache_proxy_uploads_refused_total{instance=\"builds\",protocol=\"other\",reason=\"cut\"} 1.0")) {
            assertTrue(System.nanoTime() < deadline, "the cut upload was never counted: " + metrics);
            Thread.sleep(50);
        }
        assertEquals("the old body", new String(proxy.get("/cache/cut").body(), StandardCharsets.UTF_8),
                "the key still serves its last whole body");
        try (Stream<Path> files = Files.walk(dir.resolve("store"))) {
            List<Path> temps = files.filter(p -> p.getFileName().toString().endsWith(".part")).toList(); // a writer's temp file
            assertEquals(List.of(), temps, "the cut upload's temp file is gone");
        }
    }

    @Test
    void twoUploadsOfOneKeyAtOnce_leaveOneWholeBody() throws Exception {
        byte[] first = random(4 * 1024 * 1024, 5);
        byte[] second = random(4 * 1024 * 1024, 6);
        List<CompletableFuture<HttpResponse<Void>>> both = Stream.of(first, second)
                .map(b -> http.sendAsync(HttpRequest.newBuilder(proxy.uri("/cache/race")).header("Authorization", WRITE)
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(b)).build(), HttpResponse.BodyHandlers.discarding()))
                .toList();
        for (CompletableFuture<HttpResponse<Void>> f : both) {
            assertEquals(200, f.get().statusCode());
        }
        byte[] served = proxy.get("/cache/race").body();
        assertTrue(java.util.Arrays.equals(served, first) || java.util.Arrays.equals(served, second),
                "one of the two, whole: " + served.length + " bytes");
    }

    @Test
    void theMountShowsEachClientsSetup() throws Exception {
        String page = new String(proxy.get("/cache").body(), StandardCharsets.UTF_8);
        assertTrue(page.contains("CCACHE_REMOTE_STORAGE=") && page.contains("HttpBuildCache")
                && page.contains("--remote_cache=http://127.0.0.1:" + proxy.port() + "/cache"), page);
        assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.port() + "/cache/"))
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode());
    }

    @Test
    void polykitApi_asItsServerAnswers() throws Exception {
        byte[] body = random(50_000, 7);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        String key = "/cache/v1/artifacts/" + "ab".repeat(32);
        assertEquals(400, proxy.get("/cache/v1/artifacts/not-hex").statusCode());
        HttpResponse<byte[]> missing = proxy.get(key);
        assertEquals(404, missing.statusCode());
        assertEquals("{\"error\":\"Artifact not found\"}", new String(missing.body(), StandardCharsets.UTF_8));
        assertEquals(422, put(key, body, "Authorization", WRITE, "X-Artifact-Hash", "00".repeat(32)).statusCode(),
                "a body that is not the hash it came with");
        assertEquals(404, proxy.get(key).statusCode(), "and nothing stored");
        assertEquals(201, put(key, body, "Authorization", WRITE, "X-Artifact-Hash", hash).statusCode());
        assertEquals(409, put(key, body, "Authorization", WRITE).statusCode(), "artifacts are immutable");
        HttpResponse<byte[]> got = proxy.get(key);
        assertArrayEquals(body, got.body());
        assertEquals("application/zstd", got.headers().firstValue("Content-Type").orElse(""));
        assertEquals(hash, got.headers().firstValue("X-Artifact-Hash").orElse(""));
        HttpResponse<byte[]> head = http.send(HttpRequest.newBuilder(proxy.uri(key)).HEAD().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(hash, head.headers().firstValue("X-Artifact-Hash").orElse(""));
        assertEquals(String.valueOf(body.length), head.headers().firstValue("Content-Length").orElse(""));
        assertEquals(413, put("/cache/v1/artifacts/" + "cd".repeat(32), random(9 * 1024 * 1024, 8), "Authorization", WRITE)
                .statusCode());
    }

    @Test
    void nxApi_writeOnce_409WhenPresent_403ForWhatIsNotStored() throws Exception {
        assertEquals(404, proxy.get("/cache/v1/cache/123456789").statusCode());
        assertEquals(200, put("/cache/v1/cache/123456789", random(1000, 9), "Authorization", WRITE).statusCode());
        assertEquals(409, put("/cache/v1/cache/123456789", random(1000, 10), "Authorization", WRITE).statusCode());
        assertEquals(403, put("/cache/v1/cache/987654321", random(9 * 1024 * 1024, 11), "Authorization", WRITE).statusCode(),
                "too large is 403 for Nx (413 would fail its run)");
        HttpResponse<byte[]> readOnly = put("/cache/v1/cache/555", new byte[] {1}, "Authorization", "Bearer " + BuildCacheIT.READ_TOKEN);
        assertEquals(403, readOnly.statusCode());
    }

    @Test
    void turboApi_statusArtifactsWithTheirHeaders_perTeam_andJsonErrors() throws Exception {
        HttpResponse<byte[]> status = proxy.get("/cache/v8/artifacts/status?slug=t", "Authorization", WRITE);
        assertEquals("{\"status\":\"enabled\"}", new String(status.body(), StandardCharsets.UTF_8));
        byte[] body = random(2000, 12);
        assertEquals(200, put("/cache/v8/artifacts/abc123?slug=t", body, "Authorization", WRITE, "x-artifact-tag", "c2lnbmVk",
                "x-artifact-duration", "42").statusCode());
        HttpResponse<byte[]> got = proxy.get("/cache/v8/artifacts/abc123?slug=t");
        assertArrayEquals(body, got.body());
        assertEquals("c2lnbmVk", got.headers().firstValue("x-artifact-tag").orElse(""), "the signature comes back");
        assertEquals("42", got.headers().firstValue("x-artifact-duration").orElse(""));
        assertEquals(404, proxy.get("/cache/v8/artifacts/abc123?slug=other").statusCode(), "another team's cache");
        HttpResponse<byte[]> ro = put("/cache/v8/artifacts/abc124?slug=t", body, "Authorization", "Bearer " + BuildCacheIT.READ_TOKEN);
        assertEquals(403, ro.statusCode());
        assertTrue(new String(ro.body(), StandardCharsets.UTF_8).startsWith("{\"error\":{\"code\":\"forbidden\""),
                "turbo parses the 403's body as JSON: " + new String(ro.body(), StandardCharsets.UTF_8));
        HttpRequest events = HttpRequest.newBuilder(proxy.uri("/cache/v8/artifacts/events?slug=t"))
                .header("Authorization", "Bearer " + BuildCacheIT.READ_TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("[{\"event\":\"HIT\"}]")).build();
        assertEquals(200, http.send(events, HttpResponse.BodyHandlers.discarding()).statusCode(), "events are not writes");
    }

    @Test
    void anUploadOverHttp2_isStreamedAndStoredWhole_andTooLargeIsRefusedOnItsStream() throws Exception {
        TestCa ca = TestCa.create(dir.resolve("ca"), "buildcache test CA");
        TestCa.Issued server = ca.server("localhost", "DNS:localhost");
        try (TestProxy tls = TestProxy.start(dir.resolve("store-tls"), TestCa.tlsYaml(server, null), """
                  - name: builds
                    enabled: true
                    access:
                      principals: [ { name: ci, scope: write, token: "%s" } ]
                    buildcache:
                      route: { path: /cache }
                      max_object_size: 8MiB
                """.formatted(BuildCacheIT.WRITE_TOKEN), "http://127.0.0.1:9")) {
            byte[] body = random(6 * 1024 * 1024, 13); // past the stream's flow-control window many times over
            Path file = Files.write(dir.resolve("upload.bin"), body);
            Path big = Files.write(dir.resolve("big.bin"), random(9 * 1024 * 1024, 14));
            String url = "https://localhost:" + tls.port() + "/cache/h2/";
            List<String> curl = List.of("curl", "-sS", "--http2", "--cacert", ca.certificate().toString(), "--resolve",
                    "localhost:" + tls.port() + ":127.0.0.1", "-H", "Authorization: " + WRITE, "-o", "/dev/null",
                    "-w", "%{http_version} %{http_code}\\n");
            java.util.ArrayList<String> put = new java.util.ArrayList<>(curl);
            put.addAll(List.of("-T", file.toString(), url + "six"));
            assertEquals("2 200", Commands.run(dir, put, 60).trim());
            java.util.ArrayList<String> tooBig = new java.util.ArrayList<>(curl);
            tooBig.addAll(List.of("-T", big.toString(), url + "nine"));
            assertEquals("2 413", Commands.exec(dir, tooBig, 60).output().trim());
            Path got = dir.resolve("got.bin");
            java.util.ArrayList<String> get = new java.util.ArrayList<>(curl.subList(0, curl.size() - 4));
            get.addAll(List.of("-o", got.toString(), url + "six"));
            Commands.run(dir, get, 60);
            assertArrayEquals(body, Files.readAllBytes(got));
            java.util.ArrayList<String> missing = new java.util.ArrayList<>(curl);
            missing.add(url + "nine");
            assertEquals("2 404", Commands.exec(dir, missing, 60).output().trim(), "nothing stored of the refused one");
        }
    }
}
