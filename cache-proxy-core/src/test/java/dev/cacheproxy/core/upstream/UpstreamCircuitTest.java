package dev.cacheproxy.core.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.http.Headers;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two mirrors, the first failing: it is stepped around once its circuit opens, re-admitted by a canary
 * request after the cooldown once it answers again (even though the second one works: the Go project's
 * file mode never used a recovered primary again), and every change is reported once.
 */
class UpstreamCircuitTest {
    private static final long SECOND = 1_000_000_000L;
    private final WireMockServer primary = new WireMockServer(wireMockConfig().dynamicPort());
    private final WireMockServer mirror = new WireMockServer(wireMockConfig().dynamicPort());
    private final AtomicLong clock = new AtomicLong(1_000 * SECOND);
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final UpstreamHealthRegistry registry = new UpstreamHealthRegistry();
    private UpstreamClient client;

    @BeforeEach
    void start() {
        primary.start();
        mirror.start();
        primary.stubFor(get("/f").willReturn(aResponse().withStatus(503)));
        mirror.stubFor(get("/f").willReturn(aResponse().withBody("from the mirror")));
        CacheEvents recording = new CacheEvents() {
            @Override
            public void upstreamCircuit(String instance, String upstream, String from, String to) {
                events.add(upstream + " " + from + "->" + to);
            }
        };
        client = new UpstreamClient("files", List.of(URI.create(primary.baseUrl()), URI.create(mirror.baseUrl())),
                TransportSettings.DEFAULTS, recording, UpstreamAuth.NONE, AllowedTargets.NONE, Failover.ON_FAILURE,
                registry, UpstreamTransport.JDK, clock::get);
    }

    @AfterEach
    void stop() {
        primary.stop();
        mirror.stop();
    }

    @Test
    void aFailingPrimaryIsSteppedAround_andReadmittedByACanaryOnceItRecovers() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertEquals(200, status());
        }
        assertEquals(10, primary.countRequestsMatching(getRequestedFor(urlEqualTo("/f")).build()).getCount(),
                "after 10 failures (the least the error rate needs) the open primary gets no requests");
        assertEquals(UpstreamHealth.State.OPEN, client.health().get(0).state());
        assertEquals(List.of(primary.baseUrl() + " closed->open"), events);

        primary.stubFor(get("/f").willReturn(aResponse().withBody("from the primary")));
        clock.addAndGet(29 * SECOND);
        status();
        assertEquals(10, primary.countRequestsMatching(getRequestedFor(urlEqualTo("/f")).build()).getCount(),
                "still cooling down");
        clock.addAndGet(SECOND);
        for (int i = 0; i < 5; i++) {
            assertEquals(200, status());
        }
        assertEquals(15, primary.countRequestsMatching(getRequestedFor(urlEqualTo("/f")).build()).getCount(),
                "canaries: one per request while half-open");
        assertEquals(UpstreamHealth.State.CLOSED, client.health().get(0).state());
        assertTrue(events.containsAll(List.of(primary.baseUrl() + " open->half-open", primary.baseUrl() + " half-open->closed")),
                events.toString());
        int mirrorBefore = mirror.countRequestsMatching(getRequestedFor(urlEqualTo("/f")).build()).getCount();
        status();
        assertEquals(mirrorBefore, mirror.countRequestsMatching(getRequestedFor(urlEqualTo("/f")).build()).getCount(),
                "the recovered primary is first again");
    }

    @Test
    void everyUpstreamOpen_allAreStillTried() throws Exception {
        mirror.stubFor(get("/f").willReturn(aResponse().withStatus(502)));
        for (int i = 0; i < 12; i++) {
            status();
        }
        assertEquals(UpstreamHealth.State.OPEN, client.health().get(0).state());
        assertEquals(UpstreamHealth.State.OPEN, client.health().get(1).state());
        mirror.stubFor(get("/f").willReturn(aResponse().withBody("back")));
        assertEquals(200, status(), "with nothing healthy, the open ones are asked rather than nobody");
    }

    @Test
    void twoInstancesOnOneHost_shareOneCircuit() throws Exception {
        for (int i = 0; i < 10; i++) {
            status();
        }
        UpstreamClient other = new UpstreamClient("other", List.of(URI.create(primary.baseUrl() + "/elsewhere"),
                URI.create(mirror.baseUrl())), TransportSettings.DEFAULTS, CacheEvents.NONE, UpstreamAuth.NONE,
                AllowedTargets.NONE, Failover.ON_FAILURE, registry, UpstreamTransport.JDK, clock::get);
        mirror.stubFor(get("/g").willReturn(aResponse().withBody("g")));
        assertEquals(200, status(other, "g"));
        assertEquals(0, primary.countRequestsMatching(getRequestedFor(urlEqualTo("/elsewhere/g")).build()).getCount(),
                "the other instance steps around the host the first one found dead");
    }

    @Test
    void thePreferredUpstream_isAskedFirstWhileItsCircuitIsNotOpen() throws Exception {
        mirror.stubFor(get("/p").willReturn(aResponse().withBody("from the mirror")));
        primary.stubFor(get("/p").willReturn(aResponse().withBody("from the primary")));
        UpstreamResult r = client.send(new UpstreamRequest("GET", "p", "", Headers.EMPTY, new byte[0], null,
                URI.create(mirror.baseUrl())));
        try (UpstreamResult.Answered a = (UpstreamResult.Answered) r) {
            assertEquals("from the mirror", new String(a.body().readAllBytes()));
            assertEquals(URI.create(mirror.baseUrl()), a.base());
        }
        assertEquals(0, primary.countRequestsMatching(getRequestedFor(urlEqualTo("/p")).build()).getCount());
    }

    private int status() throws Exception {
        return status(client, "f");
    }

    private static int status(UpstreamClient client, String path) throws Exception {
        UpstreamResult r = client.send(UpstreamRequest.get(path, Headers.EMPTY));
        if (r instanceof UpstreamResult.Answered a) {
            try (a) {
                a.body().readAllBytes();
                return a.status();
            }
        }
        return 0;
    }
}
