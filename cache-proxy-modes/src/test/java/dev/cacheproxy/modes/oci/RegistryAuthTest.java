package dev.cacheproxy.modes.oci;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.testing.MutableClock;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamAuth;
import dev.cacheproxy.core.upstream.UpstreamClient;
import dev.cacheproxy.core.upstream.UpstreamRequest;
import dev.cacheproxy.core.upstream.UpstreamResult;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RegistryAuthTest {
    private static final String PATH = "/v2/team/app/manifests/1.0";
    private static final String SCOPE = "repository:team/app:pull";
    private final WireMockServer registry = new WireMockServer(wireMockConfig().dynamicPort());
    private final MutableClock clock = MutableClock.atEpochDay();

    @BeforeEach
    void start() {
        registry.start();
    }

    @AfterEach
    void stop() {
        registry.stop();
    }

    private UpstreamClient client(OciConfig.Auth auth) {
        return new UpstreamClient("t", List.of(URI.create(registry.baseUrl())), TransportSettings.DEFAULTS,
                CacheEvents.NONE, new RegistryAuth("t", auth, TransportSettings.DEFAULTS, clock));
    }

    private static int status(UpstreamClient c) {
        UpstreamResult r = c.send(UpstreamRequest.get(PATH.substring(1), Headers.EMPTY));
        if (r instanceof UpstreamResult.Answered a) {
            a.close();
            return a.status();
        }
        return -1;
    }

    private void tokenRegistry(String tokenBody, int tokenDelayMs) {
        registry.stubFor(get(PATH).atPriority(5).willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate",
                "Bearer realm=\"" + registry.baseUrl() + "/token\",service=\"reg\",scope=\"" + SCOPE + "\"")));
        registry.stubFor(get(PATH).atPriority(1).withHeader("Authorization", equalTo("Bearer T1"))
                .willReturn(aResponse().withBody("{}")));
        registry.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withBody(tokenBody)
                .withFixedDelay(tokenDelayMs)));
    }

    @Test
    void anonymousTokenFlow_tokenCachedAndSentUpFront() {
        tokenRegistry("{\"token\":\"T1\",\"expires_in\":300}", 0);
        UpstreamClient c = client(new OciConfig.Auth.None());
        assertEquals(200, status(c));
        assertEquals(200, status(c));
        registry.verify(1, getRequestedFor(urlEqualTo("/token?service=reg&scope=repository%3Ateam%2Fapp%3Apull"))
                .withHeader("Authorization", absent()));
        registry.verify(1, getRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", absent()));
    }

    @Test
    void concurrentChallenges_fetchTheTokenOnce() throws Exception {
        tokenRegistry("{\"access_token\":\"T1\",\"expires_in\":300}", 300);
        UpstreamClient c = client(new OciConfig.Auth.Basic("u", "p"));
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> all = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                all.add(threads.submit(() -> status(c)));
            }
            for (Future<Integer> f : all) {
                assertEquals(200, f.get());
            }
        }
        registry.verify(1, getRequestedFor(urlPathEqualTo("/token")).withHeader("Authorization", equalTo("Basic dTpw")));
    }

    @Test
    void aChallengeToARequestSentBeforeTheTokenArrived_usesTheHeldToken_aRefusedTokenIsReplaced() {
        tokenRegistry("{\"token\":\"T1\",\"expires_in\":300}", 0);
        RegistryAuth auth = new RegistryAuth("t", new OciConfig.Auth.None(), TransportSettings.DEFAULTS, clock);
        UpstreamRequest req = UpstreamRequest.get(PATH.substring(1), Headers.EMPTY);
        Headers challenge = Headers.of("WWW-Authenticate", "Bearer realm=\"" + registry.baseUrl()
                + "/token\",service=\"reg\",scope=\"" + SCOPE + "\"");
        assertEquals(new UpstreamAuth.Answer.Retry("Bearer T1"), auth.challenged(req, Optional.empty(), challenge));
        assertEquals(new UpstreamAuth.Answer.Retry("Bearer T1"), auth.challenged(req, Optional.empty(), challenge));
        registry.verify(1, getRequestedFor(urlPathEqualTo("/token")));
        auth.challenged(req, Optional.of("Bearer T1"), challenge);
        registry.verify(2, getRequestedFor(urlPathEqualTo("/token")));
    }

    @Test
    void anExpiredTokenIsFetchedAgain_renewedBeforeItsEnd() {
        tokenRegistry("{\"token\":\"T1\",\"expires_in\":120}", 0);
        UpstreamClient c = client(new OciConfig.Auth.None());
        assertEquals(200, status(c));
        clock.advance(Duration.ofSeconds(80));
        assertEquals(200, status(c));
        registry.verify(1, getRequestedFor(urlPathEqualTo("/token")));
        clock.advance(Duration.ofSeconds(15)); // 95 s: within the 30 s margin of the 120 s lifetime
        assertEquals(200, status(c));
        registry.verify(2, getRequestedFor(urlPathEqualTo("/token")));
    }

    @Test
    void tokenEndpointDown_isAnUnreachableUpstream_refusal_keepsThe401() {
        registry.stubFor(get(PATH).willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate",
                "Bearer realm=\"http://127.0.0.1:1/token\",service=\"reg\"")));
        assertInstanceOf(UpstreamResult.Failed.class,
                client(new OciConfig.Auth.None()).send(UpstreamRequest.get(PATH.substring(1), Headers.EMPTY)));

        registry.stubFor(get(PATH).willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate",
                "Bearer realm=\"" + registry.baseUrl() + "/token\",service=\"reg\"")));
        registry.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withStatus(401)));
        assertEquals(401, status(client(new OciConfig.Auth.Basic("u", "wrong"))));
        // the scope came from the path, since the challenge named none
        registry.verify(getRequestedFor(urlEqualTo("/token?service=reg&scope=repository%3Ateam%2Fapp%3Apull")));
    }

    @Test
    void basicChallenge_answeredThenSentUpFront() {
        registry.stubFor(get(PATH).atPriority(5).willReturn(aResponse().withStatus(401)
                .withHeader("WWW-Authenticate", "Basic realm=\"r\"")));
        registry.stubFor(get(PATH).atPriority(1).withHeader("Authorization", equalTo("Basic dTpw"))
                .willReturn(aResponse().withBody("{}")));
        UpstreamClient c = client(new OciConfig.Auth.Basic("u", "p"));
        assertEquals(200, status(c));
        assertEquals(200, status(c));
        registry.verify(1, getRequestedFor(urlEqualTo(PATH)).withHeader("Authorization", absent()));
        assertEquals(401, status(client(new OciConfig.Auth.None())), "no credentials: the 401 stands");
    }

    @Test
    void staticBearer_onEveryRequest() {
        registry.stubFor(get(PATH).withHeader("Authorization", equalTo("Bearer static")).willReturn(aResponse()));
        registry.stubFor(get(PATH).atPriority(9).willReturn(aResponse().withStatus(401)));
        UpstreamClient c = client(new OciConfig.Auth.Bearer("static"));
        assertEquals(200, status(c));
        assertEquals(200, status(c));
    }

    @Test
    void pullScope_fromTheApiPath() {
        assertEquals("repository:a/b/c:pull", RegistryAuth.pullScope(UpstreamRequest.get("v2/a/b/c/blobs/sha256:x",
                Headers.EMPTY)));
        assertEquals("repository:a:pull", RegistryAuth.pullScope(UpstreamRequest.get("v2/a/tags/list", Headers.EMPTY)));
        assertEquals("", RegistryAuth.pullScope(UpstreamRequest.get("v2/", Headers.EMPTY)));
    }

    @Test
    void tokensAreFetchedThroughTheInstancesProxy() {
        // the token realm's host does not resolve: only the proxy (this WireMock, answering the absolute-form
        // request) can get the token
        registry.stubFor(get(PATH).atPriority(5).willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate",
                "Bearer realm=\"http://auth.invalid/token\",service=\"reg\",scope=\"" + SCOPE + "\"")));
        registry.stubFor(get(PATH).atPriority(1).withHeader("Authorization", equalTo("Bearer T1"))
                .willReturn(aResponse().withBody("{}")));
        registry.stubFor(get(urlPathEqualTo("/token")).willReturn(aResponse().withBody("{\"token\":\"T1\"}")));
        TransportSettings d = TransportSettings.DEFAULTS;
        TransportSettings viaProxy = new TransportSettings(java.util.Optional.of(URI.create(registry.baseUrl())),
                d.userAgent(), d.dialTimeout(), d.headerTimeout(), d.idleBodyTimeout(), d.maxRequestDuration(), d.health());
        UpstreamClient c = new UpstreamClient("t", List.of(URI.create(registry.baseUrl())), d, CacheEvents.NONE,
                new RegistryAuth("t", new OciConfig.Auth.None(), viaProxy, clock));
        assertEquals(200, status(c));
        registry.verify(1, getRequestedFor(urlPathEqualTo("/token")).withHeader("Host", equalTo("auth.invalid")));
    }
}
