package dev.cacheproxy.core.cache;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.headRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.fetch.FillLimiter;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.testing.Bodies;
import dev.cacheproxy.core.testing.MutableClock;
import dev.cacheproxy.core.upstream.HealthSettings;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine against a scripted upstream (WireMock), with a mutable clock. */
class CacheEngineTest {
    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private final WireMockServer up2 = new WireMockServer(wireMockConfig().dynamicPort());
    private final MutableClock clock = MutableClock.atEpochDay();
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private FileBlobStore store;
    private CacheEngine engine;

    @BeforeEach
    void start() throws IOException {
        up.start();
        up2.start();
        store = FileBlobStore.open(dir);
        engine = engine(List.of(URI.create(up.baseUrl())), TransportSettings.DEFAULTS);
    }

    private CacheEngine engine(List<URI> bases, TransportSettings t) {
        return new CacheEngine("test", store, new EntryIndex(dir.resolve("index"), "test", dir.resolve("tmp"), 1000),
                new UpstreamClient("test", bases, t, CacheEvents.NONE), new FillLimiter(8, 8), Duration.ofMinutes(1),
                clock, CacheEvents.NONE, threads);
    }

    @AfterEach
    void stop() throws IOException {
        up.stop();
        up2.stop();
        threads.shutdownNow();
        awaitFills(threads);
        store.close();
    }

    private static CacheRequest req(String key, CacheRule rule, List<Digest> expected) {
        return CacheRequest.builder(key, rule, key).expect(expected).build();
    }

    private static CacheRule immutable() {
        return CacheRule.immutable(Expiration.DEFAULT);
    }

    private static CacheRule revalidate(Duration fresh, BusyPolicy busy) {
        return new CacheRule(CachePolicy.REVALIDATE, Freshness.of(fresh), busy, Expiration.DEFAULT);
    }

    /** The body a client would receive, or an IOException if it would see an aborted response. */
    static byte[] body(ProxyResponse r) throws Exception {
        return Bodies.of(r);
    }

    private static String xcache(ProxyResponse r) {
        return r.cache() == null ? null : r.cache().name();
    }

    @Test
    void missThenHit_oneUpstreamRequest_sameBytesAndHeaders() throws Exception {
        up.stubFor(get("/a.txt").willReturn(aResponse().withBody("hello").withHeader("Content-Type", "text/plain")
                .withHeader("ETag", "\"v1\"")));
        ProxyResponse miss = engine.serve(req("a.txt", immutable(), List.of()));
        assertEquals("MISS", xcache(miss));
        assertArrayEquals("hello".getBytes(), body(miss));
        ProxyResponse hit = engine.serve(req("a.txt", immutable(), List.of()));
        assertEquals("HIT", xcache(hit));
        assertArrayEquals("hello".getBytes(), body(hit));
        assertEquals("text/plain", hit.headers().get("content-type"));
        assertEquals("\"v1\"", hit.headers().get("etag"));
        up.verify(1, getRequestedFor(urlEqualTo("/a.txt")));
    }

    @Test
    void requestsRacingAFillThatPublishes_neverFetchASecondTime() throws Exception {
        // Many requests arriving while a short fill publishes: whoever finds neither an entry nor a fill
        // in flight at its first look must still not start a second upstream request.
        for (int i = 0; i < 40; i++) {
            String key = "race" + i;
            up.stubFor(get("/" + key).willReturn(aResponse().withBody(key)));
            List<CompletableFuture<byte[]>> bodies = new java.util.ArrayList<>();
            for (int c = 0; c < 8; c++) {
                bodies.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return body(engine.serve(req(key, immutable(), List.of())));
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }, threads));
            }
            for (CompletableFuture<byte[]> b : bodies) {
                assertArrayEquals(key.getBytes(), b.get(10, TimeUnit.SECONDS));
            }
            up.verify(1, getRequestedFor(urlEqualTo("/" + key)));
        }
    }

    @Test
    void serveIfHot_answersOnlyStoredFreshEntriesFromMemory() throws Exception {
        up.stubFor(get("/h").willReturn(aResponse().withBody("hot")));
        CacheRule rule = revalidate(Duration.ofMinutes(1), BusyPolicy.BYPASS);
        assertTrue(engine.serveIfHot(req("h", rule, List.of())).isEmpty(), "cold key: the slow path decides");
        body(engine.serve(req("h", rule, List.of())));
        ProxyResponse hit = engine.serveIfHot(req("h", rule, List.of())).orElseThrow();
        assertEquals("HIT", xcache(hit));
        assertArrayEquals("hot".getBytes(), body(hit));
        assertTrue(engine.serveIfHot(req("h", new CacheRule(CachePolicy.BYPASS, Freshness.FOREVER, BusyPolicy.BYPASS, Expiration.DEFAULT), List.of())).isEmpty(), "bypass never");
        clock.advance(Duration.ofMinutes(2));
        assertTrue(engine.serveIfHot(req("h", rule, List.of())).isEmpty(), "stale: needs a revalidation");
        up.verify(1, getRequestedFor(urlEqualTo("/h")));
    }

    @Test
    void hitsOnOneHotEntry_replayTheSameHeaders_builtOnce() throws Exception {
        // the server keeps the head of a hit encoded per Headers instance (WireHeaders): one instance per entry
        up.stubFor(get("/same").willReturn(aResponse().withHeader("Content-Type", "text/x-same").withBody("same")));
        body(engine.serve(req("same", immutable(), List.of())));
        ProxyResponse first = engine.serveIfHot(req("same", immutable(), List.of())).orElseThrow();
        ProxyResponse second = engine.serveIfHot(req("same", immutable(), List.of())).orElseThrow();
        assertSame(first.headers(), second.headers());
        assertEquals("text/x-same", first.headers().get("content-type"));
        assertTrue(first.headers().get("etag").startsWith("\""), "a derived validator when the upstream sent none");
        body(first);
        body(second);
    }

    @Test
    void removeExpired_honoursEachKeysExpiry_batchSize_andDryRun() throws Exception {
        for (String k : List.of("short1", "short2", "short3", "long")) {
            up.stubFor(get("/" + k).willReturn(aResponse().withBody(k)));
            body(engine.serve(req(k, immutable(), List.of())));
        }
        java.util.function.Function<String, Expiration> expiry = key -> key.startsWith("short")
                ? Expiration.after(Duration.ofHours(1)) : Expiration.after(Duration.ofDays(30));
        clock.advance(Duration.ofHours(2));

        assertEquals(3, engine.removeExpired(expiry, 10, true), "dry run counts");
        assertEquals(2, engine.removeExpired(expiry, 2, false), "batch size caps one run");
        assertEquals(1, engine.removeExpired(expiry, 10, false));
        assertEquals(0, engine.removeExpired(expiry, 10, false));

        assertEquals("HIT", xcache(engine.serve(req("long", immutable(), List.of()))));
        assertEquals("MISS", xcache(engine.serve(req("short1", immutable(), List.of()))), "removed entries are fetched again");
    }

    @Test
    void revalidate_fresh_noUpstreamCall_thenStale_conditionalRequest_304RenewsFreshness() throws Exception {
        up.stubFor(get("/r").willReturn(aResponse().withBody("v1").withHeader("ETag", "\"e1\"")));
        CacheRule rule = revalidate(Duration.ofMinutes(1), BusyPolicy.BYPASS);
        body(engine.serve(req("r", rule, List.of())));
        assertEquals("HIT", xcache(engine.serve(req("r", rule, List.of()))));
        up.verify(1, getRequestedFor(urlEqualTo("/r")));

        up.stubFor(get("/r").withHeader("If-None-Match", equalTo("\"e1\"")).willReturn(aResponse().withStatus(304)));
        clock.advance(Duration.ofMinutes(2));
        ProxyResponse r = engine.serve(req("r", rule, List.of()));
        assertEquals("REVALIDATED", xcache(r));
        assertArrayEquals("v1".getBytes(), body(r));
        up.verify(1, getRequestedFor(urlEqualTo("/r")).withHeader("If-None-Match", equalTo("\"e1\"")));
        // 304 renewed freshness: no upstream call within the next minute
        clock.advance(Duration.ofSeconds(30));
        assertEquals("HIT", xcache(engine.serve(req("r", rule, List.of()))));
        up.verify(2, getRequestedFor(urlEqualTo("/r")));
    }

    @Test
    void revalidate_changedBody_replacesEntry() throws Exception {
        up.stubFor(get("/c").willReturn(aResponse().withBody("old").withHeader("ETag", "\"1\"")));
        CacheRule rule = revalidate(Duration.ofMinutes(1), BusyPolicy.BYPASS);
        body(engine.serve(req("c", rule, List.of())));
        up.stubFor(get("/c").willReturn(aResponse().withBody("new").withHeader("ETag", "\"2\"")));
        clock.advance(Duration.ofMinutes(2));
        ProxyResponse r = engine.serve(req("c", rule, List.of()));
        assertEquals("REFRESH", xcache(r));
        assertArrayEquals("new".getBytes(), body(r));
        assertArrayEquals("new".getBytes(), body(engine.serve(req("c", rule, List.of()))));
    }

    @Test
    void revalidate_upstreamDown_servesStale() throws Exception {
        up.stubFor(get("/s").willReturn(aResponse().withBody("keep me")));
        CacheRule rule = revalidate(Duration.ofMinutes(1), BusyPolicy.BYPASS);
        body(engine.serve(req("s", rule, List.of())));
        up.stubFor(get("/s").willReturn(aResponse().withStatus(503)));
        clock.advance(Duration.ofMinutes(2));
        ProxyResponse r = engine.serve(req("s", rule, List.of()));
        assertEquals("STALE", xcache(r));
        assertArrayEquals("keep me".getBytes(), body(r));
        up.stop();
        assertEquals("STALE", xcache(engine.serve(req("s", rule, List.of()))));
    }

    @Test
    void busyStale_answersAtOnceWhileASlowRefreshRuns() throws Exception {
        up.stubFor(get("/b").willReturn(aResponse().withBody("v1")));
        CacheRule rule = revalidate(Duration.ofMinutes(1), BusyPolicy.STALE);
        body(engine.serve(req("b", rule, List.of())));
        up.stubFor(get("/b").willReturn(aResponse().withBody("v2").withFixedDelay(1500)));
        clock.advance(Duration.ofMinutes(2));
        CompletableFuture<ProxyResponse> refresher = CompletableFuture.supplyAsync(() -> engine.serve(req("b", rule, List.of())), threads);
        awaitFillInFlight();
        long t0 = System.nanoTime();
        ProxyResponse during = engine.serve(req("b", rule, List.of()));
        assertEquals("STALE", xcache(during));
        assertArrayEquals("v1".getBytes(), body(during));
        assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(1000), "stale answer must not wait for the refresh");
        assertArrayEquals("v2".getBytes(), body(refresher.get(10, TimeUnit.SECONDS)));
        up.verify(2, getRequestedFor(urlEqualTo("/b")));
    }

    @Test
    void busyBypass_waitsForTheOneRefresh_neverASecondUpstreamRequest() throws Exception {
        up.stubFor(get("/w").willReturn(aResponse().withBody("v1")));
        CacheRule rule = revalidate(Duration.ofMinutes(1), BusyPolicy.BYPASS);
        body(engine.serve(req("w", rule, List.of())));
        up.stubFor(get("/w").willReturn(aResponse().withBody("v2").withFixedDelay(800)));
        clock.advance(Duration.ofMinutes(2));
        CompletableFuture<ProxyResponse> a = CompletableFuture.supplyAsync(() -> engine.serve(req("w", rule, List.of())), threads);
        awaitFillInFlight();
        ProxyResponse b = engine.serve(req("w", rule, List.of()));
        assertArrayEquals("v2".getBytes(), body(b));
        assertArrayEquals("v2".getBytes(), body(a.get(10, TimeUnit.SECONDS)));
        up.verify(2, getRequestedFor(urlEqualTo("/w")));
    }

    private void awaitFillInFlight() throws InterruptedException {
        for (int i = 0; i < 200 && engine.fillsInFlight() == 0; i++) {
            Thread.sleep(10);
        }
        assertEquals(1, engine.fillsInFlight());
    }

    @Test
    void digestMismatch_nothingPublished_followersAborted_nextRequestFetchesAgain() throws Exception {
        byte[] real = "the real bytes".getBytes(StandardCharsets.UTF_8);
        Digest expected = Digest.of("sha256", MessageDigest.getInstance("SHA-256").digest(real));
        up.stubFor(get("/d").willReturn(aResponse().withBody("tampered bytes")));
        ProxyResponse r = engine.serve(req("d", immutable(), List.of(expected)));
        // Either the client was following (and sees an abort) or the fill had already failed (clean 5xx).
        if (r instanceof ProxyResponse.Filling) {
            assertThrows(IOException.class, () -> body(r));
        } else {
            assertEquals(502, r.status());
        }
        assertEquals(0, store.stats().objects());
        up.stubFor(get("/d").willReturn(aResponse().withBody(real)));
        ProxyResponse again = engine.serve(req("d", immutable(), List.of(expected)));
        assertEquals("MISS", xcache(again));
        assertArrayEquals(real, body(again));
        up.verify(2, getRequestedFor(urlEqualTo("/d")));
    }

    @Test
    void resetMidBody_nothingPublished_clientSeesAbort() throws Exception {
        up.stubFor(get("/reset").willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
        ProxyResponse r = engine.serve(req("reset", immutable(), List.of()));
        if (r instanceof ProxyResponse.Filling) {
            assertThrows(IOException.class, () -> body(r));
        } else {
            assertTrue(r.status() >= 500, "a broken upstream is an error, got " + r.status());
        }
        assertEquals(0, store.stats().objects());
    }

    @Test
    void shortBody_isNeverPublished() throws Exception {
        // Announces 100 bytes, sends 5, closes.
        up.stubFor(get("/short").willReturn(aResponse().withHeader("Content-Length", "100").withBody("12345")
                .withFault(Fault.MALFORMED_RESPONSE_CHUNK)));
        ProxyResponse r = engine.serve(req("short", immutable(), List.of()));
        if (r instanceof ProxyResponse.Filling) {
            assertThrows(IOException.class, () -> body(r));
        }
        assertEquals(0, store.stats().objects());
    }

    @Test
    void upstream5xx_is502WithRetryAfter_neverA404() throws Exception {
        up.stubFor(get("/e").willReturn(aResponse().withStatus(500)));
        ProxyResponse r = engine.serve(req("e", immutable(), List.of()));
        assertEquals(502, r.status());
        assertEquals("5", r.headers().get("Retry-After"));
        assertEquals("ERROR", xcache(r));
    }

    @Test
    void upstreamUnreachable_is502() throws Exception {
        up.stop();
        ProxyResponse r = engine.serve(req("x", immutable(), List.of()));
        assertEquals(502, r.status());
    }

    @Test
    void upstreamHeaderTimeout_is504() throws Exception {
        engine = engine(List.of(URI.create(up.baseUrl())), new TransportSettings(Optional.empty(), "t",
                Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofMinutes(1), Duration.ofMinutes(1),
                HealthSettings.DEFAULTS));
        up.stubFor(get("/slow").willReturn(aResponse().withBody("late").withFixedDelay(2000)));
        ProxyResponse r = engine.serve(req("slow", immutable(), List.of()));
        assertEquals(504, r.status());
        assertEquals("5", r.headers().get("Retry-After"));
    }

    @Test
    void idleBodyTimeout_abortsTheFill() throws Exception {
        engine = engine(List.of(URI.create(up.baseUrl())), new TransportSettings(Optional.empty(), "t",
                Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofMinutes(1),
                HealthSettings.DEFAULTS));
        up.stubFor(get("/stall").willReturn(aResponse().withBody(new byte[200_000]).withChunkedDribbleDelay(4, 4000)));
        ProxyResponse r = engine.serve(req("stall", immutable(), List.of()));
        assertThrows(IOException.class, () -> body(r));
        assertEquals(0, store.stats().objects());
    }

    @Test
    void notFound_passesThroughAndIsNegativelyCachedBriefly() throws Exception {
        up.stubFor(get("/missing").willReturn(aResponse().withStatus(404).withBody("nope")));
        assertEquals(404, engine.serve(req("missing", immutable(), List.of())).status());
        ProxyResponse again = engine.serve(req("missing", immutable(), List.of()));
        assertEquals(404, again.status());
        assertEquals("HIT", xcache(again));
        up.verify(1, getRequestedFor(urlEqualTo("/missing")));
        clock.advance(Duration.ofMinutes(2));
        assertEquals(404, engine.serve(req("missing", immutable(), List.of())).status());
        up.verify(2, getRequestedFor(urlEqualTo("/missing")));
    }

    @Test
    void forgettingMisses_throughTheIndex_asksTheUpstreamAgain_forTheSelectedKeysOnly() throws Exception {
        EntryIndex index = new EntryIndex(dir.resolve("index2"), "test", dir.resolve("tmp"), 1000);
        CacheEngine withIndex = new CacheEngine("test", store, index,
                new UpstreamClient("test", List.of(URI.create(up.baseUrl())), TransportSettings.DEFAULTS,
                        CacheEvents.NONE), new FillLimiter(8, 8), Duration.ofMinutes(1), clock, CacheEvents.NONE,
                threads);
        up.stubFor(get("/gone/a").willReturn(aResponse().withStatus(404)));
        up.stubFor(get("/kept/b").willReturn(aResponse().withStatus(404)));
        withIndex.serve(req("gone/a", immutable(), List.of()));
        withIndex.serve(req("kept/b", immutable(), List.of()));

        index.forgetMisses(k -> k.startsWith("gone/")); // what a purge of prefix gone/ does
        assertEquals("MISS", xcache(withIndex.serve(req("gone/a", immutable(), List.of()))));
        assertEquals("HIT", xcache(withIndex.serve(req("kept/b", immutable(), List.of()))));
        up.verify(2, getRequestedFor(urlEqualTo("/gone/a")));
        up.verify(1, getRequestedFor(urlEqualTo("/kept/b")));
    }

    @Test
    void tooManyRequests_passesThroughWithRetryAfter_notCached() throws Exception {
        up.stubFor(get("/limited").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));
        ProxyResponse r = engine.serve(req("limited", immutable(), List.of()));
        assertEquals(429, r.status());
        assertEquals("30", r.headers().get("Retry-After"));
        engine.serve(req("limited", immutable(), List.of()));
        up.verify(2, getRequestedFor(urlEqualTo("/limited")));
    }

    private static CacheRequest headChecked(String key, CacheRule rule) {
        return CacheRequest.builder(key, rule, key).revalidateBy("Docker-Content-Digest").build();
    }

    @Test
    void revalidateByHead_unchangedDigest_noSecondGet_changedDigest_oneGet() throws Exception {
        up.stubFor(get("/tag").willReturn(aResponse().withBody("m1").withHeader("Docker-Content-Digest", "sha256:1")));
        up.stubFor(head(urlEqualTo("/tag")).willReturn(aResponse().withHeader("Docker-Content-Digest", "sha256:1")));
        CacheRule rule = revalidate(Duration.ofSeconds(1), BusyPolicy.BYPASS);
        body(engine.serve(headChecked("tag", rule)));
        clock.advance(Duration.ofMinutes(1));
        ProxyResponse r = engine.serve(headChecked("tag", rule));
        assertEquals("REVALIDATED", xcache(r));
        assertArrayEquals("m1".getBytes(), body(r));
        up.verify(1, getRequestedFor(urlEqualTo("/tag")));
        up.verify(1, headRequestedFor(urlEqualTo("/tag")));

        up.stubFor(get("/tag").willReturn(aResponse().withBody("m2").withHeader("Docker-Content-Digest", "sha256:2")));
        up.stubFor(head(urlEqualTo("/tag")).willReturn(aResponse().withHeader("Docker-Content-Digest", "sha256:2")));
        clock.advance(Duration.ofMinutes(1));
        r = engine.serve(headChecked("tag", rule));
        assertEquals("REFRESH", xcache(r));
        assertArrayEquals("m2".getBytes(), body(r));
        up.verify(2, getRequestedFor(urlEqualTo("/tag")));
    }

    @Test
    void revalidateByHead_rateLimitedOrDown_servesTheStoredCopy() throws Exception {
        up.stubFor(get("/t").willReturn(aResponse().withBody("m1").withHeader("Docker-Content-Digest", "sha256:1")));
        CacheRule rule = revalidate(Duration.ofSeconds(1), BusyPolicy.BYPASS);
        body(engine.serve(headChecked("t", rule)));
        up.stubFor(head(urlEqualTo("/t")).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "60")));
        clock.advance(Duration.ofMinutes(1));
        assertEquals("STALE", xcache(engine.serve(headChecked("t", rule))));
        up.stop();
        clock.advance(Duration.ofMinutes(1));
        assertEquals("STALE", xcache(engine.serve(headChecked("t", rule))));
    }

    @Test
    void tooManyRequests_neverHidesAStoredCopy() throws Exception {
        up.stubFor(get("/l").willReturn(aResponse().withBody("v1")));
        CacheRule rule = revalidate(Duration.ofSeconds(1), BusyPolicy.BYPASS);
        body(engine.serve(req("l", rule, List.of())));
        up.stubFor(get("/l").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "30")));
        clock.advance(Duration.ofMinutes(1));
        ProxyResponse r = engine.serve(req("l", rule, List.of()));
        assertEquals("STALE", xcache(r));
        assertArrayEquals("v1".getBytes(), body(r));
    }

    @Test
    void adopt_indexesABlobTheStoreHolds_servedWithoutTheUpstream() throws Exception {
        byte[] bytes = "layer bytes".getBytes();
        Digest d = Digest.of("sha256", MessageDigest.getInstance("SHA-256").digest(bytes));
        assertFalse(engine.adopt("repo-b/blobs/x", d, Map.of("content-type", "application/octet-stream")));
        up.stubFor(get("/repo-a/x").willReturn(aResponse().withBody(bytes)));
        body(engine.serve(req("repo-a/x", immutable(), List.of(d))));
        assertTrue(engine.adopt("repo-b/blobs/x", d, Map.of("content-type", "application/octet-stream")));
        ProxyResponse r = engine.serve(CacheRequest.builder("repo-b/blobs/x", immutable(), "repo-b/x").expect(List.of(d)).build());
        assertEquals("HIT", xcache(r));
        assertArrayEquals(bytes, body(r));
        up.verify(0, getRequestedFor(urlEqualTo("/repo-b/x")));
    }

    @Test
    void failover_nextUpstreamServesWhenTheFirstFails() throws Exception {
        engine = engine(List.of(URI.create(up.baseUrl()), URI.create(up2.baseUrl())), TransportSettings.DEFAULTS);
        up.stubFor(get("/f").willReturn(aResponse().withStatus(503)));
        up2.stubFor(get("/f").willReturn(aResponse().withBody("from the mirror")));
        assertArrayEquals("from the mirror".getBytes(), body(engine.serve(req("f", immutable(), List.of()))));
        up.stop();
        up2.stubFor(get("/g").willReturn(aResponse().withBody("g")));
        assertArrayEquals("g".getBytes(), body(engine.serve(req("g", immutable(), List.of()))));
    }

    @Test
    void expired_entryIsFetchedAgain() throws Exception {
        up.stubFor(get("/x").willReturn(aResponse().withBody("x")));
        CacheRule rule = CacheRule.immutable(Expiration.after(Duration.ofHours(1)));
        body(engine.serve(req("x", rule, List.of())));
        clock.advance(Duration.ofHours(2));
        assertEquals("MISS", xcache(engine.serve(req("x", rule, List.of()))));
        up.verify(2, getRequestedFor(urlEqualTo("/x")));
    }

    @Test
    void bypass_forwardsRangeAndStoresNothing() throws Exception {
        up.stubFor(get("/p").withHeader("Range", equalTo("bytes=0-1")).willReturn(aResponse().withStatus(206).withBody("ab")));
        CacheRule rule = new CacheRule(CachePolicy.BYPASS, Freshness.NONE, BusyPolicy.BYPASS, Expiration.DEFAULT);
        ProxyResponse r = engine.serve(CacheRequest.builder("p", rule, "p").client("GET", Headers.of("Range", "bytes=0-1")).build());
        assertEquals(206, r.status());
        assertEquals("BYPASS", xcache(r));
        assertArrayEquals("ab".getBytes(), body(r));
        assertEquals(0, store.stats().objects());
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
