package dev.cacheproxy.core.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.Route;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every mode owes its clients, run in process against each mode (a mode's test subclasses this
 * and supplies its block, its paths and what its upstream publishes): a miss then a hit costs one
 * upstream request; a body that fails verification is refused, not stored, and fetched again next
 * time; an upstream 5xx is a 502 with {@code Retry-After}, never a 404; a 429 passes with its
 * {@code Retry-After}; with the upstream down, a stored copy is served; a 404 is remembered for
 * {@code negative_cache_for}; paths the protocol does not have are refused without an upstream request; a
 * short body is refused like a corrupt one; a slow but complete body is stored; with the storage full, an
 * artifact still reaches its clients whole and verified (or, where only the whole stored file can be verified,
 * a 503 with {@code Retry-After}) and is stored again once there is room, and metadata reaches them as it would
 * stored (a mode that rewrites or checks a document does so as it passes). {@link UpstreamFaults}
 * scripts the failures.
 *
 * <p>A new mode starts by subclassing this and making it green; its real-client test comes next.
 */
public abstract class ModeContract {
    /** One thing a client fetches: its path below the mount, where the upstream has it, its bytes and headers. */
    public record Resource(String path, String upstreamPath, byte[] body, Map<String, String> headers) {
        public Resource(String path, String upstreamPath, byte[] body) {
            this(path, upstreamPath, body, Map.of());
        }
    }

    @TempDir
    protected Path dir;

    protected final WireMockServer upstream = new WireMockServer(wireMockConfig().dynamicPort());
    protected ModeHarness harness;

    /** Builds the mode's instance in {@code h} in front of {@code upstreamBase} (no trailing slash). */
    protected abstract void start(ModeHarness h, String upstreamBase);

    /** An artifact (immutable, verified when the mode knows a digest). */
    protected abstract Resource artifact();

    /** A resource the mode revalidates with the upstream (metadata). */
    protected abstract Resource revalidated();

    /** A path below the mount and the upstream path it asks for, which the upstream does not have. */
    protected abstract Resource missing();

    /** Paths below the mount the protocol does not have: answered 400 or 404 without the upstream. */
    protected abstract List<String> malformed();

    /** The cache status of {@link #revalidated()} once the upstream is down: STALE unless the mode knows better. */
    protected String statusWhenUpstreamIsDown() {
        return "STALE";
    }

    /**
     * Whether {@link #artifact()} can only be verified as a whole stored file (its request has a {@code FileCheck}
     * and no digest: a Go module zip's directory hash, an apk's control checksum): then, with the storage full and
     * no copy, it is a 503 with {@code Retry-After}, never a body passed on unverified. Say why where a mode
     * overrides it. (Metadata has no such exception: every mode passes it, checked, while the storage is full.)
     */
    protected boolean artifactNeedsStorage() {
        return false;
    }

    /** The configured {@code negative_cache_for} (the default, unless the block sets another). */
    protected Duration negativeCacheFor() {
        return Duration.ofMinutes(1);
    }

    /** Request headers a client of the mode sends for {@code r} (an OCI client's Accept). */
    protected String[] requestHeaders(Resource r) {
        return new String[0];
    }

    /** Publishes {@code r} (and what a client reads first to reach it) on the upstream. */
    protected void publish(Resource r) {
        serve(r.upstreamPath(), aResponse().withBody(r.body()));
    }

    /** What a client fetches before {@code r} (npm: the packument naming the tarball's digest). */
    protected void beforeFetching(Resource r) throws Exception {}

    /**
     * Makes the upstream answer {@code r} with a body that must fail verification: by default one cut
     * in the middle; a mode that knows digests serves other bytes than its metadata names.
     */
    protected void publishBroken(Resource r) {
        serve(r.upstreamPath(), UpstreamFaults.resetMidBody());
    }

    protected final void serve(String upstreamPath, ResponseDefinitionBuilder answer) {
        upstream.stubFor(get(urlEqualTo(upstreamPath)).willReturn(answer));
    }

    @BeforeEach
    final void startHarness() throws IOException {
        upstream.start();
        harness = new ModeHarness(dir);
        start(harness, upstream.baseUrl());
    }

    @AfterEach
    final void stopHarness() throws IOException {
        harness.close();
        upstream.stop();
    }

    private ProxyResponse fetch(Resource r) {
        return harness.get(r.path(), requestHeaders(r));
    }

    private int upstreamGets(String upstreamPath) {
        return upstream.countRequestsMatching(getRequestedFor(urlEqualTo(upstreamPath)).build()).getCount();
    }

    private static String xCache(ProxyResponse r) {
        return r.cache() == null ? null : r.cache().name();
    }

    @Test
    void missThenHit_oneUpstreamRequest_sameBytes() throws Exception {
        Resource a = artifact();
        publish(a);
        beforeFetching(a);
        ProxyResponse miss = fetch(a);
        assertEquals(200, miss.status());
        assertArrayEquals(a.body(), Bodies.of(miss));
        assertEquals("MISS", xCache(miss));
        ProxyResponse hit = fetch(a);
        assertEquals("HIT", xCache(hit));
        assertArrayEquals(a.body(), Bodies.of(hit));
        assertEquals(1, upstreamGets(a.upstreamPath()));
    }

    /**
     * The server asks a route again when the answer it made ahead of a pipelined request's turn went stale
     * (RequestHandler.deliverAhead): the second answer is the same bytes, from the store.
     */
    @Test
    void aRouteServedAgain_givesTheSameBytes_withoutAnotherUpstreamRequest() throws Exception {
        Resource a = artifact();
        publish(a);
        beforeFetching(a);
        Route route = harness.route(a.path(), requestHeaders(a));
        ProxyResponse first = route.hit().orElseGet(route::serve);
        assertEquals(200, first.status());
        assertArrayEquals(a.body(), Bodies.of(first));
        ProxyResponse again = route.serve();
        assertEquals(200, again.status());
        assertArrayEquals(a.body(), Bodies.of(again));
        assertEquals(1, upstreamGets(a.upstreamPath()));
    }

    @Test
    void bodyFailingVerification_isRefused_notStored_andFetchedAgain() throws Exception {
        Resource a = artifact();
        publishBroken(a);
        beforeFetching(a);
        refusedThenFetchedAgain(a);
    }

    @Test
    void shortBody_isRefused_notStored_andFetchedAgain() throws Exception {
        Resource a = artifact();
        publish(a);
        beforeFetching(a);
        serve(a.upstreamPath(), UpstreamFaults.shortBody(a.body()));
        refusedThenFetchedAgain(a);
    }

    @Test
    void slowBody_arrivesWhole_andIsStored() throws Exception {
        Resource a = artifact();
        publish(a);
        beforeFetching(a);
        serve(a.upstreamPath(), UpstreamFaults.slowBody(a.body(), 4, 400));
        ProxyResponse slow = fetch(a);
        assertEquals(200, slow.status());
        assertArrayEquals(a.body(), Bodies.of(slow));
        ProxyResponse hit = fetch(a);
        assertEquals("HIT", xCache(hit));
        assertArrayEquals(a.body(), Bodies.of(hit));
        assertEquals(1, upstreamGets(a.upstreamPath()));
    }

    @Test
    void storageFull_anArtifactStillReachesItsClientsWhole_isNotStored_andIsStoredOnceThereIsRoom() throws Exception {
        Resource a = artifact();
        publish(a);
        beforeFetching(a);
        harness.diskFree(ModeHarness.MIN_FREE - 1); // the disk filled up while the instance was in use
        if (artifactNeedsStorage()) {
            ProxyResponse refused = fetch(a);
            assertEquals(503, refused.status(), "a clear, retryable refusal, not an unverified body");
            assertTrue(refused.headers().first("Retry-After").isPresent());
            harness.diskFree(Long.MAX_VALUE);
            assertArrayEquals(a.body(), Bodies.of(fetch(a)));
            assertEquals("HIT", xCache(fetch(a)), "stored once there is room");
            return;
        }
        for (int i = 0; i < 2; i++) {
            ProxyResponse passed = fetch(a);
            assertEquals(200, passed.status());
            assertArrayEquals(a.body(), Bodies.of(passed));
            assertNotEquals("HIT", xCache(passed), "nothing was stored");
        }
        assertEquals(2, upstreamGets(a.upstreamPath()));
        harness.diskFree(Long.MAX_VALUE);
        assertArrayEquals(a.body(), Bodies.of(fetch(a)));
        ProxyResponse hit = fetch(a);
        assertEquals("HIT", xCache(hit), "stored again once there is room");
        assertArrayEquals(a.body(), Bodies.of(hit));
    }

    @Test
    void storageFull_metadataStillReachesItsClients_asItWouldStored() throws Exception {
        Resource m = revalidated();
        publish(m);
        harness.diskFree(ModeHarness.MIN_FREE - 1); // full before the first request: nothing of it is stored
        ProxyResponse r = fetch(m);
        assertEquals(200, r.status(), () -> "with the storage full: " + new String(body(r)));
        assertArrayEquals(m.body(), Bodies.of(r));
    }

    /** The upstream's answer for {@code a} is bad: the client must not get it whole, and the next fetch is clean. */
    private void refusedThenFetchedAgain(Resource a) throws Exception {
        ProxyResponse broken = fetch(a);
        if (broken.status() == 200) {
            try {
                byte[] body = Bodies.of(broken);
                fail("a body that fails verification reached the client whole (" + body.length + " bytes)");
            } catch (IOException expected) {
                // the client's download is cut: it never looks complete
            }
        } else {
            assertTrue(broken.status() >= 500, "refused with " + broken.status());
        }
        upstream.resetAll();
        publish(a);
        beforeFetching(a);
        ProxyResponse again = fetch(a);
        assertNotEquals("HIT", xCache(again), "nothing was stored");
        assertArrayEquals(a.body(), Bodies.of(again));
        assertEquals(1, upstreamGets(a.upstreamPath()), "fetched again after the refusal");
    }

    @Test
    void upstream5xx_is502WithRetryAfter_never404() throws Exception {
        Resource a = artifact();
        publish(a);
        beforeFetching(a);
        serve(a.upstreamPath(), UpstreamFaults.serverError(503));
        ProxyResponse r = fetch(a);
        assertEquals(502, r.status());
        assertTrue(r.headers().first("Retry-After").isPresent(), "Retry-After on " + r.headers());
    }

    @Test
    void upstream429_passesWithItsRetryAfter() throws Exception {
        Resource a = artifact();
        publish(a);
        beforeFetching(a);
        serve(a.upstreamPath(), UpstreamFaults.tooManyRequests(7));
        ProxyResponse r = fetch(a);
        assertEquals(429, r.status());
        assertEquals("7", r.headers().first("Retry-After").orElse(""));
    }

    @Test
    void upstreamDown_theStoredCopyIsServed() throws Exception {
        Resource m = revalidated();
        publish(m);
        ProxyResponse first = fetch(m);
        assertEquals(200, first.status());
        assertArrayEquals(m.body(), Bodies.of(first));
        harness.clock().advance(Duration.ofHours(1)); // stale by any fresh_for, far from expire_after
        upstream.stop();
        ProxyResponse down = fetch(m);
        assertEquals(200, down.status(), () -> "with the upstream down: " + new String(body(down)));
        assertEquals(statusWhenUpstreamIsDown(), xCache(down));
        assertArrayEquals(m.body(), Bodies.of(down));
    }

    @Test
    void notFound_isRememberedForNegativeCacheFor() throws Exception {
        Resource gone = missing();
        upstream.stubFor(get(urlEqualTo(gone.upstreamPath())).willReturn(aResponse().withStatus(404)));
        assertEquals(404, harness.get(gone.path()).status());
        assertEquals(404, harness.get(gone.path()).status());
        assertEquals(1, upstreamGets(gone.upstreamPath()), "the second 404 came from memory");
        harness.clock().advance(negativeCacheFor().plusSeconds(1));
        assertEquals(404, harness.get(gone.path()).status());
        assertEquals(2, upstreamGets(gone.upstreamPath()), "asked again once negative_cache_for passed");
    }

    @Test
    void malformedPaths_areRefused_withoutAnUpstreamRequest() {
        upstream.stubFor(any(anyUrl()).willReturn(aResponse().withBody("should not be asked")));
        for (String p : malformed()) {
            int status = harness.get(p).status();
            assertTrue(status == 400 || status == 404, p + " answered " + status);
        }
        assertEquals(0, upstream.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount());
    }

    /**
     * Access rules refuse through the mode ({@code ModeInstance.refused}): whatever shape its protocol gives the
     * body, the status is the one asked for and a 401 carries a challenge (without one a client has nothing to
     * answer with its credentials); GET and HEAD never count as writes.
     */
    @Test
    void accessRefusals_keepTheirStatus_a401Challenges_andReadsAreNotWrites() {
        var instance = harness.instance();
        ProxyResponse unauthorized = instance.refused(401, "reading needs credentials", "cache-proxy contract");
        assertEquals(401, unauthorized.status());
        assertTrue(unauthorized.headers().first("WWW-Authenticate").isPresent(), "a 401 without WWW-Authenticate");
        assertEquals(403, instance.refused(403, "not yours", "cache-proxy contract").status());
        assertEquals(429, instance.refused(429, "too many requests", "cache-proxy contract").status());
        assertTrue(!instance.writes("GET") && !instance.writes("HEAD"), "a read counted as a write");
    }

    private static byte[] body(ProxyResponse r) {
        try {
            return Bodies.of(r);
        } catch (IOException | InterruptedException e) {
            return ("(body unreadable: " + e + ")").getBytes();
        }
    }
}
