package dev.cacheproxy.core.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.head;
import static com.github.tomakehurst.wiremock.client.WireMock.headRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.events.CacheEvents;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Active probes on a clock the test moves: they re-open an open upstream and fall back to a ranged GET on 405. */
class UpstreamProberTest {
    private static final long SECOND = 1_000_000_000L;
    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<String> answers = new CopyOnWriteArrayList<>();
    private UpstreamHealthRegistry registry;

    @BeforeEach
    void start() {
        up.start();
        registry = new UpstreamHealthRegistry(new CacheEvents() {
            @Override
            public void upstreamCircuit(String instance, String upstream, String from, String to) {
                events.add(instance + " " + from + "->" + to);
            }
        }, java.time.InstantSource.fixed(java.time.Instant.EPOCH));
    }

    @AfterEach
    void stop() {
        up.stop();
    }

    @Test
    void aProbeThatFindsAnOpenUpstreamAnswering_halfOpensIt_andProbesAreSpacedPerHost() {
        up.stubFor(head(urlEqualTo("/repo/dists/stable/InRelease")).willReturn(aResponse().withStatus(200)));
        URI base = URI.create(up.baseUrl() + "/repo");
        UpstreamHealth breaker = registry.of(base, HealthSettings.DEFAULTS);
        long now = 1_000 * SECOND;
        for (int i = 0; i < 10; i++) {
            breaker.record(false, SECOND / 100, now);
        }
        assertEquals(UpstreamHealth.State.OPEN, breaker.state());
        registry.prober().register(new UpstreamProber.Job("deb", base, TransportSettings.DEFAULTS, UpstreamTransport.JDK,
                () -> List.of("dists/stable/InRelease"), (target, status) -> answers.add(target + " " + status)));

        registry.prober().runDue(now);
        assertEquals(UpstreamHealth.State.HALF_OPEN, breaker.state());
        assertEquals(List.of("deb open->half-open"), events);
        assertEquals(List.of("dists/stable/InRelease 200"), answers);

        registry.prober().runDue(now + 29 * SECOND);
        up.verify(1, headRequestedFor(urlEqualTo("/repo/dists/stable/InRelease")));
        registry.prober().runDue(now + 37 * SECOND); // canary_cooldown (30 s) plus at most 6 s of jitter
        up.verify(2, headRequestedFor(urlEqualTo("/repo/dists/stable/InRelease")));
    }

    @Test
    void aHostThatRefusesHead_isProbedWithAOneByteGet() {
        up.stubFor(head(urlEqualTo("/r/repodata/repomd.xml")).willReturn(aResponse().withStatus(405)));
        up.stubFor(get(urlEqualTo("/r/repodata/repomd.xml")).withHeader("Range", equalTo("bytes=0-0"))
                .willReturn(aResponse().withStatus(206).withBody("<")));
        registry.prober().register(new UpstreamProber.Job("rpm", URI.create(up.baseUrl() + "/r"), TransportSettings.DEFAULTS,
                UpstreamTransport.JDK, () -> List.of("repodata/repomd.xml"), (target, status) -> answers.add(target + " " + status)));
        registry.prober().runDue(5 * SECOND);
        registry.prober().runDue(140 * SECOND); // probe_interval (2 min) plus at most 6 s of jitter
        assertEquals(List.of("repodata/repomd.xml 206", "repodata/repomd.xml 206"), answers);
        up.verify(1, headRequestedFor(urlEqualTo("/r/repodata/repomd.xml")));
        up.verify(2, getRequestedFor(urlEqualTo("/r/repodata/repomd.xml")));
    }

    @Test
    void probesGoThroughTheInstancesProxy_withItsUserAgent() {
        // the "proxy" answers the absolute-form request itself; without it the probe could not resolve the host
        up.stubFor(head(urlEqualTo("/deb/dists/stable/InRelease")).willReturn(aResponse().withStatus(200)));
        TransportSettings viaProxy = new TransportSettings(java.util.Optional.of(URI.create(up.baseUrl())), "office-proxy-test/1",
                TransportSettings.DEFAULTS.dialTimeout(), TransportSettings.DEFAULTS.headerTimeout(),
                TransportSettings.DEFAULTS.idleBodyTimeout(), TransportSettings.DEFAULTS.maxRequestDuration(),
                HealthSettings.DEFAULTS);
        registry.prober().register(new UpstreamProber.Job("deb", URI.create("http://upstream.invalid/deb"), viaProxy,
                UpstreamTransport.JDK, () -> List.of("dists/stable/InRelease"), (target, status) -> answers.add(target + " " + status)));
        registry.prober().runDue(5 * SECOND);
        assertEquals(List.of("dists/stable/InRelease 200"), answers);
        up.verify(1, headRequestedFor(urlEqualTo("/deb/dists/stable/InRelease"))
                .withHeader("Host", equalTo("upstream.invalid")).withHeader("User-Agent", equalTo("office-proxy-test/1")));
    }

    @Test
    void aProxyThatAnswers407_isNoAnswerFromTheHost_andNeverReadmitsIt() {
        up.stubFor(head(urlEqualTo("/deb/dists/stable/InRelease")).willReturn(aResponse().withStatus(407)
                .withHeader("Proxy-Authenticate", "Basic realm=\"office\"")));
        URI base = URI.create("http://upstream.invalid/deb");
        TransportSettings viaProxy = new TransportSettings(java.util.Optional.of(URI.create(up.baseUrl())), "t",
                TransportSettings.DEFAULTS.dialTimeout(), TransportSettings.DEFAULTS.headerTimeout(),
                TransportSettings.DEFAULTS.idleBodyTimeout(), TransportSettings.DEFAULTS.maxRequestDuration(),
                HealthSettings.DEFAULTS);
        UpstreamHealth breaker = registry.of(base, HealthSettings.DEFAULTS);
        long now = 1_000 * SECOND;
        for (int i = 0; i < 10; i++) {
            breaker.record(false, SECOND / 100, now);
        }
        assertEquals(UpstreamHealth.State.OPEN, breaker.state());
        registry.prober().register(new UpstreamProber.Job("deb", base, viaProxy, UpstreamTransport.JDK,
                () -> List.of("dists/stable/InRelease"), (target, status) -> answers.add(target + " " + status)));
        registry.prober().runDue(now);
        up.verify(1, headRequestedFor(urlEqualTo("/deb/dists/stable/InRelease")));
        assertEquals(UpstreamHealth.State.OPEN, breaker.state(), "the proxy's refusal says nothing good about the host");
        assertEquals(List.of(), events);
    }
}
