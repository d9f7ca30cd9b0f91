package dev.cacheproxy.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access rules through the real server: a file instance for token holders only (Bearer or Basic, a token
 * file revoked by editing it), an npm instance that answers a missing token in npm's JSON, an instance
 * served to another network only, hits refused like misses, and tokens never echoed.
 */
class AccessIT {
    private static final String TOKEN = "s3cret-reader-token";

    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private TestProxy proxy;
    private Path tokenFile;

    @BeforeEach
    void start() throws Exception {
        up.start();
        up.stubFor(get(urlPathMatching("/.*")).willReturn(aResponse().withBody("some body")));
        tokenFile = Files.writeString(dir.resolve("ci.token"), "file-token-1\n");
        proxy = TestProxy.start(dir.resolve("store"), "", """
                  - name: files
                    enabled: true
                    access:
                      anonymous: none
                      principals:
                        - { name: reader, scope: read, token_sha256: "%s" }
                        - { name: ci, scope: read, token_file: "%s" }
                        - { name: ops, scope: admin, token: "ops-admin-token" }
                    file:
                      route: { path: /files }
                      upstreams: ["${UPSTREAM}"]
                      default_policy: immutable
                  - name: npm
                    enabled: true
                    access:
                      anonymous: none
                      principals:
                        - { name: reader, token: "%s" }
                    npm:
                      route: { path: /npm }
                      upstream: ${UPSTREAM}
                  - name: elsewhere
                    enabled: true
                    access: { networks: [ "192.0.2.0/24" ] }
                    file:
                      route: { path: /elsewhere }
                      upstreams: ["${UPSTREAM}"]
                  - name: limited
                    enabled: true
                    access: { rate_limit: { requests_per_second: 0.2, burst: 2, per: address } }
                    file:
                      route: { path: /limited }
                      upstreams: ["${UPSTREAM}"]
                """.formatted(dev.cacheproxy.server.access.AccessControl.sha256Hex(TOKEN), tokenFile, TOKEN), up.baseUrl());
    }

    @AfterEach
    void stop() {
        proxy.close();
        up.stop();
    }

    @Test
    void withoutATokenA401WithAChallenge_withOneTheBody_andAHitIsGuardedLikeAMiss() throws Exception {
        HttpResponse<byte[]> none = proxy.get("/files/a.bin");
        assertEquals(401, none.statusCode());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm=\"cache-proxy files\""));
        up.verify(0, com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor(urlPathMatching("/.*")));

        assertEquals("MISS", proxy.get("/files/a.bin", "Authorization", "Bearer " + TOKEN).headers().firstValue("X-Cache")
                .orElseThrow());
        String basic = java.util.Base64.getEncoder().encodeToString(("x:" + TOKEN).getBytes());
        HttpResponse<byte[]> hit = proxy.get("/files/a.bin", "Authorization", "Basic " + basic);
        assertEquals("HIT", hit.headers().firstValue("X-Cache").orElseThrow());
        assertEquals(401, proxy.get("/files/a.bin").statusCode(), "a stored body is no more public than a fetched one");
        HttpResponse<byte[]> wrong = proxy.get("/files/a.bin", "Authorization", "Bearer wrong-" + TOKEN);
        assertEquals(401, wrong.statusCode());
        assertFalse(new String(wrong.body()).contains(TOKEN), "tokens are never echoed");
    }

    @Test
    void aTokenFileIsRevokedByEditingIt() throws Exception {
        assertEquals(200, proxy.get("/files/b.bin", "Authorization", "Bearer file-token-1").statusCode());
        Files.writeString(tokenFile, "file-token-2\n");
        Files.setLastModifiedTime(tokenFile, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        assertEquals(401, proxy.get("/files/b.bin", "Authorization", "Bearer file-token-1").statusCode());
        assertEquals(200, proxy.get("/files/b.bin", "Authorization", "Bearer file-token-2").statusCode());
    }

    @Test
    void npmGetsItsOwnJson401_andAnotherNetworkIs403() throws Exception {
        HttpResponse<byte[]> npm = proxy.get("/npm/left-pad");
        assertEquals(401, npm.statusCode());
        assertEquals("application/json", npm.headers().firstValue("Content-Type").orElse(""));
        assertTrue(new String(npm.body()).startsWith("{\"error\":\"reading needs credentials\""), new String(npm.body()));
        HttpResponse<byte[]> far = proxy.get("/elsewhere/c.bin");
        assertEquals(403, far.statusCode(), "127.0.0.1 is not in 192.0.2.0/24");
        assertFalse(new String(proxy.get("/-/status").body()).contains(TOKEN));
    }

    @Test
    void aRateLimitAnswers429WithRetryAfter() throws Exception {
        assertEquals(200, proxy.get("/limited/d.bin").statusCode());
        assertEquals(200, proxy.get("/limited/d.bin").statusCode());
        HttpResponse<byte[]> limited = proxy.get("/limited/d.bin");
        assertEquals(429, limited.statusCode());
        assertEquals("5", limited.headers().firstValue("Retry-After").orElse(""), "one request per 5 s");
    }

    @Test
    void anAdminPrincipalPurgesItsInstance_aReaderMayNot_andTheLogNamesWhoAsked() throws Exception {
        try (AccessLogCapture log = new AccessLogCapture()) {
            assertEquals(200, proxy.get("/files/e.bin", "Authorization", "Bearer " + TOKEN).statusCode());
            log.await(l -> l.contains("GET /files/e.bin 200") && l.endsWith("principal=reader"),
                    "the access log names the principal");
            assertEquals(200, proxy.get("/limited/e.bin").statusCode());
            String open = log.await(l -> l.contains("GET /limited/e.bin 200"), "an instance with a rate limit only");
            assertTrue(open.endsWith("principal=anonymous"), open);
            assertTrue(log.lines().stream().noneMatch(l -> l.contains(TOKEN) || l.contains("ops-admin-token")),
                    "tokens are never logged");
        }
        // As a reverse proxy on this machine would forward it: loopback is not trusted, credentials decide.
        String forwarded = "X-Forwarded-For";
        assertEquals(403, proxy.get("/-/entries/files", forwarded, "198.51.100.7").statusCode());
        HttpResponse<byte[]> reader = proxy.get("/-/entries/files", forwarded, "198.51.100.7", "Authorization", "Bearer " + TOKEN);
        assertEquals(403, reader.statusCode(), "a read principal may not use admin operations");
        HttpResponse<byte[]> unknown = proxy.get("/-/entries/files", forwarded, "198.51.100.7", "Authorization", "Bearer nope");
        assertEquals(401, unknown.statusCode());
        assertTrue(unknown.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        HttpResponse<byte[]> listed = proxy.get("/-/entries/files", forwarded, "198.51.100.7",
                "Authorization", "Bearer ops-admin-token");
        assertEquals(200, listed.statusCode());
        assertTrue(new String(listed.body()).contains("\"e.bin\""), new String(listed.body()));
        assertEquals(403, proxy.get("/-/entries/npm", forwarded, "198.51.100.7", "Authorization", "Bearer ops-admin-token")
                .statusCode(), "an admin of one instance is nobody on another");
        java.net.http.HttpRequest purge = java.net.http.HttpRequest.newBuilder(proxy.uri("/-/entries/files?key=e.bin"))
                .header(forwarded, "198.51.100.7").header("Authorization", "Bearer ops-admin-token").DELETE().build();
        HttpResponse<String> purged = java.net.http.HttpClient.newHttpClient().send(purge, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, purged.statusCode(), purged.body());
        assertEquals("MISS", proxy.get("/files/e.bin", "Authorization", "Bearer " + TOKEN).headers().firstValue("X-Cache")
                .orElseThrow(), "the purged entry is fetched again");
    }
}
