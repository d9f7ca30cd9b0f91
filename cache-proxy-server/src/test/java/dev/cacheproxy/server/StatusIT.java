package dev.cacheproxy.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code /-/status} schema (docs/status-api.md) with several modes and an upstream that is down: the
 * field names of the report and of each instance, each instance's upstreams with their last success and
 * last error, the last five minutes next to the counts since start, what each instance holds, and one
 * instance's part at {@code /-/status/<instance>}.
 */
class StatusIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> REPORT_FIELDS = Set.of("version", "started_at", "uptime_seconds", "storage",
            "upstreams", "instances");
    private static final Set<String> INSTANCE_FIELDS = Set.of("name", "mode", "mount", "url", "setup", "upstreams",
            "requests", "results", "hit_ratio", "last_5m", "served_bytes", "stored", "fills_in_flight", "roots", "status");
    private static final Set<String> UPSTREAM_FIELDS = Set.of("url", "host", "state", "weight", "last_success",
            "last_failure", "last_error");

    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private TestProxy proxy;
    private int deadPort;

    @BeforeEach
    void start() throws Exception {
        up.start();
        up.stubFor(get(urlPathMatching("/files/.*")).willReturn(aResponse().withBody("twelve bytes")));
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort(); // closed again: nothing listens there
        }
        proxy = TestProxy.start(dir, "", """
                  - name: files
                    enabled: true
                    file:
                      route: { path: /files }
                      upstreams: ["${UPSTREAM}/files"]
                      default_policy: immutable
                  - name: npm
                    enabled: true
                    npm:
                      route: { path: /npm }
                      upstream: ${UPSTREAM}/npm
                  - name: maven
                    enabled: true
                    maven:
                      route: { path: /maven }
                      upstream: ${UPSTREAM}/maven
                  - name: broken
                    enabled: true
                    file:
                      route: { path: /broken }
                      upstreams: ["http://127.0.0.1:%d/down"]
                      default_policy: immutable
                """.formatted(deadPort), up.baseUrl());
    }

    @AfterEach
    void stop() {
        proxy.close();
        up.stop();
    }

    @Test
    void theSchema_withSeveralModes_andAnUpstreamThatIsDown() throws Exception {
        assertEquals("MISS", proxy.get("/files/a.bin").headers().firstValue("X-Cache").orElseThrow());
        assertEquals("HIT", proxy.get("/files/a.bin").headers().firstValue("X-Cache").orElseThrow());
        assertEquals(502, proxy.get("/broken/b.bin").statusCode(), "an upstream that is down is no 404");

        JsonNode report = json(proxy.get("/-/status"));
        assertEquals(REPORT_FIELDS, fields(report));
        JsonNode instances = report.path("instances");
        assertEquals(4, instances.size());
        for (JsonNode i : instances) {
            assertEquals(INSTANCE_FIELDS, fields(i), i.path("name").asText());
            assertEquals(30, i.path("last_5m").path("requests_per_10s").size());
            assertEquals(1, i.path("upstreams").size(), i.toString());
            assertEquals(UPSTREAM_FIELDS, fields(i.path("upstreams").get(0)));
            assertTrue(i.path("roots").isArray() && i.path("roots").isEmpty(), "no roots outside the Linux modes");
        }
        assertEquals("npm config set registry " + "http://127.0.0.1:" + proxy.port() + "/npm/", instance(report, "npm").path("setup").asText());
        assertEquals("maven", instance(report, "maven").path("mode").asText());

        JsonNode files = instance(report, "files");
        assertEquals(2, files.path("last_5m").path("requests").asLong());
        assertEquals(0.5, files.path("last_5m").path("hit_ratio").asDouble(), 1e-9);
        long perBucket = 0;
        for (JsonNode n : files.path("last_5m").path("requests_per_10s")) {
            perBucket += n.asLong();
        }
        assertEquals(2, perBucket, "the sparkline's buckets add up to the window");
        assertEquals(1, files.path("stored").path("entries").asLong());
        assertEquals(12, files.path("stored").path("bytes").asLong());
        JsonNode filesUp = files.path("upstreams").get(0);
        assertEquals(up.baseUrl() + "/files", filesUp.path("url").asText());
        assertEquals("closed", filesUp.path("state").asText());
        assertTrue(filesUp.path("last_success").isTextual(), filesUp.toString());
        assertTrue(filesUp.path("last_error").isNull(), filesUp.toString());
        assertTrue(instance(report, "npm").path("last_5m").path("hit_ratio").isNull(), "no traffic: no ratio");

        JsonNode down = instance(report, "broken").path("upstreams").get(0);
        assertEquals("http://127.0.0.1:" + deadPort + "/down", down.path("url").asText());
        assertTrue(down.path("last_success").isNull(), down.toString());
        assertTrue(down.path("last_failure").isTextual(), down.toString());
        assertTrue(down.path("last_error").asText().contains("unreachable"), down.toString());
        assertEquals(0, instance(report, "broken").path("stored").path("entries").asLong());
        JsonNode host = null;
        for (JsonNode h : report.path("upstreams")) {
            if (h.path("host").asText().equals("http://127.0.0.1:" + deadPort)) {
                host = h;
            }
        }
        assertTrue(host != null && host.path("last_error").isTextual(), report.path("upstreams").toString());

        JsonNode one = json(proxy.get("/-/status/broken"));
        assertEquals("broken", one.path("name").asText());
        assertEquals(INSTANCE_FIELDS, fields(one));
        assertEquals(404, proxy.get("/-/status/nope").statusCode());

        MetricsPromtoolIT.assertPromtoolClean(proxy, dir);

        String home = new String(proxy.get("/").body());
        assertTrue(home.contains("last error"), "the plain home page says why an upstream fails:\n" + home);
        assertFalse(home.contains("<html"));
    }

    private static JsonNode instance(JsonNode report, String name) {
        for (JsonNode i : report.path("instances")) {
            if (i.path("name").asText().equals(name)) {
                return i;
            }
        }
        throw new AssertionError("no instance " + name + " in " + report);
    }

    private static Set<String> fields(JsonNode n) {
        Set<String> out = new TreeSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static JsonNode json(HttpResponse<byte[]> r) throws Exception {
        assertEquals(200, r.statusCode(), new String(r.body()));
        assertEquals("application/json", r.headers().firstValue("Content-Type").orElse(""));
        return JSON.readTree(r.body());
    }
}
