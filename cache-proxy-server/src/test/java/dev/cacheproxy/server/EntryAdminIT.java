package dev.cacheproxy.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Browse and purge the entries of an instance through the admin API, with and without the admin token. */
class EntryAdminIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "adm1n-t0ken-for-the-test";
    private static final String FILES = TestProxy.FILE_INSTANCE;

    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private TestProxy proxy;

    @BeforeEach
    void start() {
        up.start();
        up.stubFor(get(urlPathMatching("/.*")).willReturn(aResponse().withBody("some body")));
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        up.stop();
    }

    @Test
    void browseInPages_thenPurgeAKeyAPrefixAndEverything_aPurgedKeyIsAMissAgain() throws Exception {
        proxy = TestProxy.start(dir.resolve("a"), "", FILES, up.baseUrl());
        String[] keys = {"pool/a.deb", "pool/b.deb", "pool/c.deb", "dists/Release"};
        for (String k : keys) {
            assertEquals("MISS", proxy.get("/files/" + k).headers().firstValue("X-Cache").orElseThrow());
        }
        for (String k : keys) {
            // a client has its body before the entry is durable; asking again waits for the entry
            assertEquals("HIT", proxy.get("/files/" + k).headers().firstValue("X-Cache").orElseThrow());
        }
        JsonNode page = json(proxy.get("/-/entries/files?prefix=pool/&limit=2"));
        assertEquals(2, page.path("entries").size());
        assertEquals("pool/a.deb", page.path("entries").get(0).path("key").asText());
        assertEquals(9, page.path("entries").get(0).path("size").asLong());
        JsonNode first = page.path("entries").get(0);
        assertTrue(java.time.Instant.parse(first.path("last_used").asText())
                .isAfter(java.time.Instant.parse(first.path("fetched_at").asText()).minusSeconds(1)), first.toString());
        assertEquals("pool/b.deb", page.path("next").asText());
        JsonNode rest = json(proxy.get("/-/entries/files?prefix=pool/&limit=2&after=pool/b.deb"));
        assertEquals("pool/c.deb", rest.path("entries").get(0).path("key").asText());
        assertTrue(rest.path("next").isNull());

        assertEquals(1, json(proxy.send("DELETE", "/-/entries/files?key=pool/a.deb")).path("purged").asInt());
        assertEquals("MISS", proxy.get("/files/pool/a.deb").headers().firstValue("X-Cache").orElseThrow(),
                "a purged key is fetched again");
        assertEquals("HIT", proxy.get("/files/pool/a.deb").headers().firstValue("X-Cache").orElseThrow(),
                "and stored again (asking again waits for the entry to be durable)");
        assertEquals("HIT", proxy.get("/files/pool/b.deb").headers().firstValue("X-Cache").orElseThrow());
        assertEquals(3, json(proxy.send("DELETE", "/-/entries/files?prefix=pool/")).path("purged").asInt());
        assertEquals(1, json(proxy.send("DELETE", "/-/entries/files?all=true")).path("purged").asInt());
        assertEquals(0, json(proxy.get("/-/entries/files")).path("entries").size());

        assertEquals(400, proxy.send("DELETE", "/-/entries/files").statusCode(), "purge what? must be said");
        assertEquals(400, proxy.get("/-/entries/files?limit=0").statusCode());
        assertEquals(404, proxy.get("/-/entries/nope").statusCode());
        assertEquals(403, proxy.get("/-/entries/files", "X-Forwarded-For", "203.0.113.9").statusCode(),
                "without a token, a request a local reverse proxy forwarded is not trusted");
        assertTrue(new String(proxy.get("/metrics").body()).contains("cache_proxy_admin_operations_total{operation=\"purge\"} 3.0"));
    }

    @Test
    void aPurge_forgetsRememberedUpstream404s_ofTheKeysItSelects() throws Exception {
        proxy = TestProxy.start(dir.resolve("c"), "", FILES, up.baseUrl());
        up.stubFor(get(urlPathMatching("/missing/.*")).willReturn(aResponse().withStatus(404)));
        assertEquals(404, proxy.get("/files/missing/a.jar").statusCode());
        assertEquals(404, proxy.get("/files/missing/b.jar").statusCode());
        assertEquals("HIT", proxy.get("/files/missing/a.jar").headers().firstValue("X-Cache").orElseThrow(),
                "a 404 is remembered (negative_cache_for)");

        assertEquals(0, json(proxy.send("DELETE", "/-/entries/files?key=missing/a.jar")).path("purged").asInt());
        assertEquals("MISS", proxy.get("/files/missing/a.jar").headers().firstValue("X-Cache").orElseThrow(),
                "after a purge the upstream is asked again, for an absent key too");
        assertEquals("HIT", proxy.get("/files/missing/b.jar").headers().firstValue("X-Cache").orElseThrow(),
                "a key the purge did not select stays remembered");
        up.verify(2, getRequestedFor(urlEqualTo("/missing/a.jar")));
        up.verify(1, getRequestedFor(urlEqualTo("/missing/b.jar")));

        proxy.send("DELETE", "/-/entries/files?all=true");
        assertEquals("MISS", proxy.get("/files/missing/b.jar").headers().firstValue("X-Cache").orElseThrow());
    }

    @Test
    void withAnAdminToken_theOperationsNeedIt_andItIsNeverEchoed() throws Exception {
        proxy = TestProxy.start(dir.resolve("b"), "  admin_token: " + TOKEN, FILES, up.baseUrl());
        proxy.get("/files/x.bin");
        assertEquals("HIT", proxy.get("/files/x.bin").headers().firstValue("X-Cache").orElseThrow(), "stored");
        HttpResponse<byte[]> refused = proxy.get("/-/entries/files");
        assertEquals(401, refused.statusCode());
        assertEquals("Bearer realm=\"cache-proxy admin\"", refused.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(401, proxy.get("/-/entries/files", "Authorization", "Bearer wrong").statusCode());
        HttpResponse<byte[]> ok = proxy.get("/-/entries/files", "Authorization", "Bearer " + TOKEN);
        assertEquals(200, ok.statusCode());
        assertEquals("x.bin", json(ok).path("entries").get(0).path("key").asText());
        assertFalse(new String(refused.body()).contains(TOKEN));
        assertFalse(new String(proxy.get("/-/status").body()).contains(TOKEN));
    }


    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""), new String(r.body()));
        return JSON.readTree(r.body());
    }
}
