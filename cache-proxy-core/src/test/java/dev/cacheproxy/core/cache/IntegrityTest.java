package dev.cacheproxy.core.cache;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.fetch.FillLimiter;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.testing.MutableClock;
import dev.cacheproxy.core.upstream.AllowedTargets;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamAuth;
import dev.cacheproxy.core.upstream.UpstreamClient;
import dev.cacheproxy.core.upstream.UpstreamRequest;
import dev.cacheproxy.core.upstream.UpstreamResult;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the engine trusts and what it refuses (issue 14): damaged blobs are never served as hits,
 * unverifiable bodies are judged by their looks, stored entries are checked once their digest is
 * known, upstream headers are bounded, redirects are confined and credentials in a base URL are used.
 */
class IntegrityTest {
    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private final MutableClock clock = MutableClock.atEpochDay();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<String> damaged = Collections.synchronizedList(new ArrayList<>());
    private final CacheEvents events = new CacheEvents() {
        @Override
        public void blobDamaged(String foundBy) {
            damaged.add(foundBy);
        }
    };
    private FileBlobStore store;
    private CacheEngine engine;

    @BeforeEach
    void start() throws IOException {
        up.start();
        store = FileBlobStore.open(dir);
        engine = engine(URI.create(up.baseUrl()));
    }

    private CacheEngine engine(URI base) {
        return new CacheEngine("test", store, new EntryIndex(dir.resolve("index"), "test", dir.resolve("tmp"), 1000),
                new UpstreamClient("test", List.of(base), TransportSettings.DEFAULTS, events), new FillLimiter(8, 8),
                Duration.ofMinutes(1), clock, events, threads);
    }

    @AfterEach
    void stop() throws IOException {
        up.stop();
        threads.shutdownNow();
        awaitFills(threads);
        store.close();
    }

    private static CacheRequest req(String key, List<Digest> expected) {
        return CacheRequest.builder(key, CacheRule.immutable(Expiration.DEFAULT), key).expect(expected).build();
    }

    private static String xcache(ProxyResponse r) {
        return r.cache() == null ? null : r.cache().name();
    }

    private static Digest sha(String algorithm, byte[] bytes) throws Exception {
        String java = switch (algorithm) {
            case "sha256" -> "SHA-256";
            case "sha512" -> "SHA-512";
            default -> "SHA-1";
        };
        return new Digest(algorithm, HexFormat.of().formatHex(MessageDigest.getInstance(java).digest(bytes)));
    }

    private BlobFile storedBlobOf(String key) {
        return engine.storedBlob(key, Expiration.DEFAULT).orElseThrow();
    }

    @Test
    void truncatedBlob_isNeverAHit_itIsQuarantinedAndFetchedAgain() throws Exception {
        up.stubFor(get("/a.bin").willReturn(aResponse().withBody("0123456789abcdef")));
        CacheEngineTest.body(engine.serve(req("a.bin", List.of())));
        BlobFile blob = storedBlobOf("a.bin");
        try (RandomAccessFile f = new RandomAccessFile(blob.path().toFile(), "rw")) {
            f.setLength(5);
        }
        assertTrue(engine.serveIfHot(req("a.bin", List.of())).isEmpty(), "the hot path must not serve a short blob");
        ProxyResponse r = engine.serve(req("a.bin", List.of()));
        assertEquals("MISS", xcache(r));
        assertArrayEquals("0123456789abcdef".getBytes(), CacheEngineTest.body(r));
        assertEquals(List.of("hit"), damaged);
        up.verify(2, getRequestedFor(urlEqualTo("/a.bin")));
        assertTrue(Files.list(dir.resolve("quarantine")).findAny().isPresent(), "the damaged copy is kept aside");
    }

    @Test
    void flippedByte_freshFillOfTheSameContentForAnotherKey_replacesTheDamagedCopy() throws Exception {
        byte[] content = "the same content under two names".getBytes();
        up.stubFor(get("/one").willReturn(aResponse().withBody(content)));
        up.stubFor(get("/two").willReturn(aResponse().withBody(content)));
        CacheEngineTest.body(engine.serve(req("one", List.of())));
        BlobFile blob = storedBlobOf("one");
        byte[] bad = content.clone();
        bad[3] ^= 1;
        Files.write(blob.path(), bad); // same size: only a re-hash can tell
        CacheEngineTest.body(engine.serve(req("two", List.of())));
        assertArrayEquals(content, Files.readAllBytes(blob.path()), "the fresh verified copy wins");
        assertArrayEquals(content, CacheEngineTest.body(engine.serve(req("one", List.of()))));
    }

    /** Digests learnt after a body was stored (a package fetched before its listing): checked, and a mismatch dropped. */
    @Test
    void checkStored_keepsAMatchingBody_dropsOneThatDoesNotMatch_andReadsTheBlobForOtherDigests() throws Exception {
        byte[] content = "a package stored before its index was known".getBytes();
        up.stubFor(get("/pkg").willReturn(aResponse().withBody(content)));
        CacheEngineTest.body(engine.serve(req("pkg", List.of())));
        assertEquals(CacheEngine.StoredCheck.PASSED, engine.checkStored("pkg", List.of(sha("sha256", content),
                sha("sha512", content)), FileCheck.NONE));
        assertEquals(CacheEngine.StoredCheck.PASSED, engine.checkStored("pkg", List.of(), FileCheck.NONE));
        assertEquals(CacheEngine.StoredCheck.DROPPED, engine.checkStored("pkg", List.of(sha("sha512", "other".getBytes())),
                FileCheck.NONE), "a SHA-512 the stored bytes do not have");
        assertEquals(CacheEngine.StoredCheck.NOT_STORED, engine.checkStored("pkg", List.of(), FileCheck.NONE));
        assertEquals("MISS", xcache(engine.serve(req("pkg", List.of()))), "dropped: fetched again");

        CacheEngineTest.body(engine.serve(req("pkg", List.of())));
        assertEquals(CacheEngine.StoredCheck.DROPPED, engine.checkStored("pkg", List.of(sha("sha256", "other".getBytes())),
                FileCheck.NONE), "a SHA-256 other than the blob's name");
        CacheEngineTest.body(engine.serve(req("pkg", List.of())));
        assertEquals(CacheEngine.StoredCheck.DROPPED, engine.checkStored("pkg", List.of(),
                file -> Optional.of("not a package")), "a file check that refuses it");
    }

    @Test
    void adoption_reHashesTheStoredBlob_andRefusesADamagedOne() throws Exception {
        byte[] content = "layer bytes".getBytes();
        up.stubFor(get("/first").willReturn(aResponse().withBody(content)));
        CacheEngineTest.body(engine.serve(req("first", List.of())));
        Digest d = sha("sha256", content);
        assertTrue(engine.adopt("adopted-ok", d, Map.of()));
        byte[] bad = content.clone();
        bad[0] ^= 1;
        Files.write(storedBlobOf("first").path(), bad);
        assertFalse(engine.adopt("adopted-bad", d, Map.of()), "a damaged blob is not adopted");
        assertEquals(List.of("adopt"), damaged);
        assertTrue(store.find(d).isEmpty(), "the damaged blob is out of service");
    }

    @Test
    void htmlPage_forAnArtifactWithoutADigest_isRefusedAndNotStored() throws Exception {
        up.stubFor(get("/pkg.tgz").willReturn(aResponse().withHeader("Content-Type", "text/html")
                .withBody("<html><body>captive portal</body></html>")));
        ProxyResponse r = engine.serve(req("pkg.tgz", List.of()).checkedAs(ContentCheck.gzip("an npm tarball")));
        assertEquals(502, r.status());
        assertTrue(engine.storedBlob("pkg.tgz", Expiration.DEFAULT).isEmpty());
        // a body that is not gzip, served with a neutral type, is refused as well
        up.stubFor(get("/pkg2.tgz").willReturn(aResponse().withHeader("Content-Type", "application/octet-stream")
                .withBody("<!DOCTYPE html><p>error</p>")));
        assertEquals(502, engine.serve(req("pkg2.tgz", List.of()).checkedAs(ContentCheck.gzip("an npm tarball")))
                .status());
        assertTrue(engine.storedBlob("pkg2.tgz", Expiration.DEFAULT).isEmpty());
    }

    @Test
    void checksumSidecar_mustBeItsHexDigest() throws Exception {
        ContentCheck sha1 = ContentCheck.hexDigest("a .sha1 checksum", 40);
        up.stubFor(get("/x.jar.sha1").willReturn(aResponse().withBody("<html>not found</html>")));
        assertEquals(502, engine.serve(req("x.jar.sha1", List.of()).checkedAs(sha1)).status());
        up.stubFor(get("/y.jar.sha1").willReturn(aResponse().withBody("0123456789abcdef0123456789abcdef01234567  y.jar\n")));
        ProxyResponse ok = engine.serve(req("y.jar.sha1", List.of()).checkedAs(sha1));
        assertEquals("MISS", xcache(ok));
        CacheEngineTest.body(ok);
        assertEquals("HIT", xcache(engine.serve(req("y.jar.sha1", List.of()).checkedAs(sha1))));
    }

    @Test
    void storedBeforeItsDigestWasKnown_isCheckedOnceItIs() throws Exception {
        byte[] page = "<html>oops</html>".getBytes(StandardCharsets.UTF_8);
        up.stubFor(get("/t.tgz").willReturn(aResponse().withBody(page)));
        CacheEngineTest.body(engine.serve(req("t.tgz", List.of()))); // stored: nothing said what it must be
        byte[] real = {0x1f, (byte) 0x8b, 8, 0, 1, 2, 3};
        up.stubFor(get("/t.tgz").willReturn(aResponse().withBody(real)));
        List<Digest> known = List.of(sha("sha512", real));
        assertTrue(engine.serveIfHot(req("t.tgz", known)).isEmpty(), "an unverified entry is not a hot hit");
        ProxyResponse r = engine.serve(req("t.tgz", known));
        assertEquals("MISS", xcache(r), "the stored body did not match the digest now known: fetched again");
        assertArrayEquals(real, CacheEngineTest.body(r));
        ProxyResponse again = engine.serve(req("t.tgz", known));
        assertEquals("HIT", xcache(again));
        assertTrue(engine.serveIfHot(req("t.tgz", known)).isPresent(), "verified now: hot hits again");
    }

    @Test
    void storedBeforeItsDigestWasKnown_andMatching_staysAHit() throws Exception {
        byte[] real = {0x1f, (byte) 0x8b, 8, 0, 4, 5, 6};
        up.stubFor(get("/u.tgz").willReturn(aResponse().withBody(real)));
        CacheEngineTest.body(engine.serve(req("u.tgz", List.of())));
        assertEquals("HIT", xcache(engine.serve(req("u.tgz", List.of(sha("sha1", real))))));
        up.verify(1, getRequestedFor(urlEqualTo("/u.tgz")));
    }

    @Test
    void oversizedUpstreamHeader_isNeitherStoredNorReplayed() throws Exception {
        // over the 4 KiB a value may have (WireMock's server sends at most 8 KiB of headers)
        up.stubFor(get("/l").willReturn(aResponse().withHeader("Link", "<" + "x".repeat(6000) + ">")
                .withHeader("ETag", "\"e\"").withBody("body")));
        CacheEngineTest.body(engine.serve(req("l", List.of())));
        ProxyResponse hit = engine.serve(req("l", List.of()));
        assertEquals("HIT", xcache(hit));
        assertNull(hit.headers().get("link"));
        assertEquals("\"e\"", hit.headers().get("etag"));
    }

    @Test
    void redirectLoop_is502_neverABare3xx() {
        up.stubFor(get("/loop").willReturn(aResponse().withStatus(302).withHeader("Location", "/loop2")));
        up.stubFor(get("/loop2").willReturn(aResponse().withStatus(302).withHeader("Location", "/loop")));
        ProxyResponse r = engine.serve(req("loop", List.of()));
        assertEquals(502, r.status());
        assertEquals("5", r.headers().get("Retry-After"));
        up.stubFor(get("/nowhere").willReturn(aResponse().withStatus(302)));
        assertEquals(502, engine.serve(req("nowhere", List.of())).status());
    }

    @Test
    void redirectChainLongerThanFiveHops_is502() {
        for (int i = 0; i < 8; i++) {
            up.stubFor(get("/hop" + i).willReturn(aResponse().withStatus(301).withHeader("Location", "/hop" + (i + 1))));
        }
        up.stubFor(get("/hop8").willReturn(aResponse().withBody("end")));
        assertEquals(502, engine.serve(req("hop0", List.of())).status());
    }

    @Test
    void redirectOnTheSameHostOutsideTheBase_isRefusedWithoutARequest() throws Exception {
        CacheEngine below = engine(URI.create(up.baseUrl() + "/pub"));
        up.stubFor(get("/pub/go").willReturn(aResponse().withStatus(302).withHeader("Location", "/private/key.txt")));
        up.stubFor(get("/private/key.txt").willReturn(aResponse().withBody("TOP-SECRET")));
        ProxyResponse r = below.serve(req("go", List.of()));
        assertEquals(502, r.status());
        up.verify(0, getRequestedFor(urlEqualTo("/private/key.txt")));
        up.stubFor(get("/pub/inside").willReturn(aResponse().withStatus(302).withHeader("Location", "/pub/a/../b.txt")));
        up.stubFor(get("/pub/b.txt").willReturn(aResponse().withBody("fine")));
        assertArrayEquals("fine".getBytes(), CacheEngineTest.body(below.serve(req("inside", List.of()))));
    }

    @Test
    void pathThatWouldLeaveTheBase_isNeverSent() {
        CacheEngine below = engine(URI.create(up.baseUrl() + "/pub"));
        up.stubFor(get(urlPathMatching(".*")).willReturn(aResponse().withBody("anything")));
        for (String encoded : List.of("..%2Fprivate%2Fkey.txt", "x/..%2F..%2Fprivate", "%2e%2e/private", "a/%2E%2E/b",
                "..%5Cprivate", "a/../../private")) {
            ProxyResponse r = below.serve(
                    CacheRequest.builder("k-" + encoded, CacheRule.immutable(Expiration.DEFAULT), encoded).build());
            assertEquals(502, r.status(), encoded);
        }
        assertEquals(0, up.getAllServeEvents().size(), "nothing reached the upstream");
    }

    @Test
    void credentialsInTheBaseUrl_areSentAsBasic_andNeverShown() throws Exception {
        URI withUser = URI.create("http://user:S3cr3t@127.0.0.1:" + up.port() + "/repo");
        CacheEngine e = engine(withUser);
        up.stubFor(get("/repo/f").willReturn(aResponse().withBody("ok")));
        ProxyResponse r = e.serve(req("f", List.of()));
        CacheEngineTest.body(r);
        up.verify(getRequestedFor(urlEqualTo("/repo/f")).withHeader("Authorization",
                equalTo("Basic dXNlcjpTM2NyM3Q=")));
        up.stop(); // a failure message names the host, never the secret
        ProxyResponse down = e.serve(req("g", List.of()));
        assertEquals(502, down.status());
        assertFalse(new String(((ProxyResponse.Document) down).body(), StandardCharsets.UTF_8).contains("S3cr3t"));
    }

    @Test
    void digestMismatch_isNeverStored_andNeverLooksComplete() throws Exception {
        up.stubFor(get("/v").willReturn(aResponse().withBody("body")));
        Digest wrong = sha("sha256", "other".getBytes());
        ProxyResponse r = engine.serve(req("v", List.of(wrong)));
        if (r instanceof ProxyResponse.Document d) {
            assertEquals(502, d.status()); // the fill failed before this request could follow it
        } else {
            assertThrows(IOException.class, () -> CacheEngineTest.body(r)); // a follower's body is cut
        }
        assertTrue(engine.storedBlob("v", Expiration.DEFAULT).isEmpty());
        assertNotEquals(0, up.getAllServeEvents().size());
    }

    @Test
    void absoluteTargets_areFetchedOnlyBelowAnAllowedBase_withoutCredentials() throws Exception {
        URI files = URI.create(up.baseUrl() + "/files");
        UpstreamClient client = new UpstreamClient("test", List.of(URI.create("http://user:pw@127.0.0.1:" + up.port() + "/simple")),
                TransportSettings.DEFAULTS, events, UpstreamAuth.NONE,
                AllowedTargets.of(List.of(files)));
        up.stubFor(get(urlPathMatching(".*")).willReturn(aResponse().withBody("file")));
        var ok = client.send(UpstreamRequest.absolute("GET",
                URI.create(up.baseUrl() + "/files/ab/cd/pkg-1.0.whl"), Headers.EMPTY));
        assertEquals(200, ((UpstreamResult.Answered) ok).status());
        ((UpstreamResult.Answered) ok).close();
        up.verify(getRequestedFor(urlEqualTo("/files/ab/cd/pkg-1.0.whl")).withoutHeader("Authorization"));
        for (String refused : List.of(up.baseUrl() + "/private/key.txt", up.baseUrl() + "/files/../private/key.txt",
                up.baseUrl() + "/files/%2e%2e/private", "http://127.0.0.2:" + up.port() + "/files/x", "file:///etc/passwd")) {
            var r = client.send(UpstreamRequest.absolute("GET", URI.create(refused), Headers.EMPTY));
            assertTrue(r instanceof UpstreamResult.Failed, refused);
        }
        assertEquals(1, up.getAllServeEvents().size(), "only the allowed file was requested");
    }

    @Test
    void fileCheck_refusingTheCompleteBody_storesNothing() throws Exception {
        up.stubFor(get("/m.zip").willReturn(aResponse().withBody("PK not the module it claims")));
        CacheRequest req = CacheRequest.builder("m.zip", CacheRule.immutable(Expiration.DEFAULT), "m.zip")
                .checkFile(file -> Files.size(file) > 10 ? Optional.of("h1: hash mismatch") : Optional.empty()).build();
        ProxyResponse r = engine.serve(req);
        if (r instanceof ProxyResponse.Document d) {
            assertEquals(502, d.status());
        } else {
            assertThrows(IOException.class, () -> CacheEngineTest.body(r));
        }
        assertTrue(engine.storedBlob("m.zip", Expiration.DEFAULT).isEmpty());
        assertEquals(List.of(), damaged);
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
