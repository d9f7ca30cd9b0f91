package dev.cacheproxy.core.upstream;

import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.http.Headers;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Credentials in {@code transport.proxy} ({@code http://user:secret@proxy:3128}) on the JDK client: they go to the
 * proxy with every request, before any challenge; an upstream's own 401 comes back as it is, unanswered. HTTPS
 * through a proxy that wants a password runs in the real server, in a JVM of its own (ProxyAuthIT, server module).
 */
class JdkProxyCredentialsTest {
    /** {@code office\build:s3cr@t}, as Basic credentials. */
    private static final String BASIC = "Basic b2ZmaWNlXGJ1aWxkOnMzY3JAdA==";

    private final WireMockServer office = new WireMockServer(wireMockConfig().dynamicPort());

    @BeforeEach
    void start() {
        office.start();
        // the "proxy" answers the absolute-form requests itself; upstream.invalid does not resolve
        office.stubFor(any(urlPathMatching("/.*")).atPriority(10).willReturn(aResponse().withStatus(407)
                .withHeader("Proxy-Authenticate", "Basic realm=\"office\"")));
        office.stubFor(get(urlEqualTo("/pkg")).atPriority(1).withHeader("Proxy-Authorization", equalTo(BASIC))
                .willReturn(aResponse().withBody("via the office proxy")));
        office.stubFor(get(urlEqualTo("/private")).atPriority(1).withHeader("Proxy-Authorization", equalTo(BASIC))
                .willReturn(aResponse().withStatus(401).withHeader("WWW-Authenticate", "Basic realm=\"upstream\"")));
    }

    @AfterEach
    void stop() {
        office.stop();
    }

    private TransportSettings viaProxy(String userInfo) {
        TransportSettings d = TransportSettings.DEFAULTS;
        URI proxy = URI.create(office.baseUrl().replace("//", "//" + userInfo));
        return new TransportSettings(Optional.of(proxy), d.userAgent(), d.dialTimeout(), d.headerTimeout(),
                d.idleBodyTimeout(), d.maxRequestDuration(), d.health());
    }

    private UpstreamTransport.Answer fetch(TransportSettings transport, String path) throws Exception {
        return new JdkUpstreamTransport(transport).exchange(URI.create("http://upstream.invalid" + path), "GET",
                Headers.of(), new byte[0]);
    }

    @Test
    void theProxyUrlsCredentials_goToTheProxy_beforeAnyChallenge() throws Exception {
        UpstreamTransport.Answer a = fetch(viaProxy("office%5Cbuild:s3cr%40t@"), "/pkg");
        assertEquals(200, a.status());
        try (InputStream in = a.body()) {
            assertEquals("via the office proxy", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        office.verify(1, getRequestedFor(urlEqualTo("/pkg")));
        assertEquals(407, fetch(viaProxy(""), "/pkg").status(), "without credentials the proxy's refusal comes back");
    }

    @Test
    void anUpstreamsChallenge_comesBackUnanswered() throws Exception {
        assertEquals(401, fetch(viaProxy("office%5Cbuild:s3cr%40t@"), "/private").status());
        office.verify(getRequestedFor(urlEqualTo("/private")).withHeader("Authorization", absent()));
    }

    @Test
    void theProxysRefusal_isAnUpstreamFailureThatSaysWhy_neverA407ForTheClient() {
        for (String userInfo : List.of("", "office%5Cbuild:wrong@")) {
            UpstreamClient c = new UpstreamClient("t", List.of(URI.create("http://upstream.invalid/")), viaProxy(userInfo),
                    CacheEvents.NONE);
            UpstreamResult r = c.send(UpstreamRequest.get("pkg", Headers.EMPTY));
            String detail = assertInstanceOf(UpstreamResult.Failed.class, r).detail();
            assertTrue(detail.contains("refused") && detail.contains(userInfo.isEmpty() ? "has no credentials"
                    : "credentials it does not accept"), detail);
            assertFalse(detail.contains("wrong"), detail);
        }
    }

    @Test
    void theSettingsAsShown_leaveTheCredentialsOut() {
        String shown = viaProxy("office%5Cbuild:s3cr%40t@").toString() + UpstreamUrls.credentials(
                URI.create("http://u:s3cr%40t@proxy:3128")).orElseThrow();
        assertFalse(shown.contains("s3cr"), shown);
    }
}
