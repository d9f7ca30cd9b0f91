package dev.cacheproxy.modes.cargo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.testing.Bodies;
import dev.cacheproxy.core.testing.ModeHarness;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code auth_required}: clients must send a token; the upstream token goes upstream only. */
class CargoAuthTest {
    @TempDir
    Path dir;

    private final WireMockServer upstream = new WireMockServer(wireMockConfig().dynamicPort());
    private ModeHarness harness;

    @BeforeEach
    void start() throws Exception {
        upstream.start();
        upstream.stubFor(get(urlEqualTo("/index/config.json"))
                .willReturn(aResponse().withBody("{\"dl\":\"" + upstream.baseUrl() + "/dl\",\"api\":null}")));
        harness = new ModeHarness(dir);
        harness.start(new CargoMode(), "cargo", Map.of("route", Map.of("path", "/cargo"),
                "upstream", upstream.baseUrl() + "/index/", "auth_required", true, "token", "s3cr3t-upstream"));
    }

    @AfterEach
    void stop() throws Exception {
        harness.close();
        upstream.stop();
    }

    @Test
    void withoutAToken_401WithCargosChallenge_withOne_configAdvertisesAuthRequired() throws Exception {
        ProxyResponse refused = harness.get("/config.json");
        assertEquals(401, refused.status());
        assertTrue(refused.headers().first("WWW-Authenticate").orElse("").startsWith("Cargo login_url="));
        assertEquals(0, upstream.getAllServeEvents().size(), "nothing asked upstream for an unauthenticated client");

        ProxyResponse ok = harness.get("/config.json", "Authorization", "client-token");
        assertEquals(200, ok.status());
        String body = new String(Bodies.of(ok));
        assertTrue(body.contains("\"auth-required\":true") && body.contains("\"dl\":\"http://cache.example.org/mount/api/v1/crates\""),
                body);
        upstream.verify(getRequestedFor(urlEqualTo("/index/config.json")).withHeader("Authorization", equalTo("s3cr3t-upstream")));
        assertFalse(body.contains("s3cr3t"), "the upstream token never reaches a client");
    }
}
