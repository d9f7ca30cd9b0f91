package dev.cacheproxy.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parts of the registry API that Debian's docker-registry (distribution 2.8) cannot show — the
 * referrers API, tag pagination with {@code Link}, a rate-limiting upstream — against a scripted
 * upstream. The real-client proof is {@link OciIT}.
 */
class OciApiIT {
    private static final String DIGEST = "sha256:" + "ab".repeat(32);
    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private final HttpClient http = HttpClient.newHttpClient();
    private TestProxy proxy;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        up.start();
        proxy = TestProxy.start(dir, "", """
                  - name: hub
                    enabled: true
                    oci:
                      bind: 127.0.0.1:0
                      upstream: ${UPSTREAM}
                      fresh_for: 1m
                """, up.baseUrl());
    }

    @AfterEach
    void stop() {
        proxy.close();
        up.stop();
    }

    private HttpResponse<String> fetch(String path) throws Exception {
        int port = proxy.app().dedicatedAddress("hub").getPort();
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void referrers_passedAndStored_servedWhenTheUpstreamIsGone() throws Exception {
        String index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}";
        up.stubFor(get("/v2/team/app/referrers/" + DIGEST + "?artifactType=application%2Fspdx%2Bjson")
                .willReturn(aResponse().withBody(index).withHeader("Content-Type", "application/vnd.oci.image.index.v1+json")
                        .withHeader("OCI-Filters-Applied", "artifactType")));
        String path = "/v2/team/app/referrers/" + DIGEST + "?artifactType=application%2Fspdx%2Bjson";
        HttpResponse<String> r = fetch(path);
        assertEquals(200, r.statusCode());
        assertEquals(index, r.body());
        assertEquals("application/vnd.oci.image.index.v1+json", r.headers().firstValue("Content-Type").orElse(""));
        up.stop();
        assertEquals(index, fetch(path).body());
    }

    @Test
    void tagsList_paginationQueryAndLinkPass() throws Exception {
        up.stubFor(get("/v2/a/tags/list?n=1").willReturn(aResponse().withBody("{\"name\":\"a\",\"tags\":[\"1\"]}")
                .withHeader("Content-Type", "application/json")
                .withHeader("Link", "</v2/a/tags/list?last=1&n=1>; rel=\"next\"")));
        HttpResponse<String> r = fetch("/v2/a/tags/list?n=1");
        assertEquals("{\"name\":\"a\",\"tags\":[\"1\"]}", r.body());
        assertEquals("</v2/a/tags/list?last=1&n=1>; rel=\"next\"", r.headers().firstValue("Link").orElse(""));
        assertEquals("HIT", fetch("/v2/a/tags/list?n=1").headers().firstValue("X-Cache").orElse(""), "fresh for 1m");
        up.verify(1, getRequestedFor(urlEqualTo("/v2/a/tags/list?n=1")));
    }

    @Test
    void tooManyRequests_passesWithRetryAfter_andNeverTheUpstreamsChallenge() throws Exception {
        up.stubFor(get("/v2/a/manifests/1").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "120")
                .withHeader("Content-Type", "application/json")
                .withBody("{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}")));
        HttpResponse<String> r = fetch("/v2/a/manifests/1");
        assertEquals(429, r.statusCode());
        assertEquals("120", r.headers().firstValue("Retry-After").orElse(""));
        assertTrue(r.body().contains("TOOMANYREQUESTS"), r.body());

        up.stubFor(get("/v2/b/manifests/1").willReturn(aResponse().withStatus(401)
                .withHeader("WWW-Authenticate", "Basic realm=\"upstream\"")
                .withBody("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"no\"}]}")));
        HttpResponse<String> denied = fetch("/v2/b/manifests/1");
        assertEquals(401, denied.statusCode());
        assertTrue(denied.body().contains("UNAUTHORIZED"), denied.body());
        assertFalse(denied.headers().firstValue("WWW-Authenticate").isPresent(),
                "a client must not be sent to fetch upstream tokens and hand them to us");
    }
}
