package dev.cacheproxy.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP on the real process (as `systemctl kill -s HUP` sends it): the configuration file is read again and a
 * token removed from it stops working for the next request; a file with problems is refused and the rules
 * in force stay.
 */
class ReloadIT {
    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private final HttpClient http = HttpClient.newHttpClient();
    private ForkedProxy proxy;

    @BeforeEach
    void start() {
        up.start();
        up.stubFor(get(urlPathMatching("/.*")).willReturn(aResponse().withBody("body")));
    }

    @AfterEach
    void stop() throws Exception {
        if (proxy != null) {
            proxy.close();
        }
        up.stop();
    }

    private String yaml(String token) {
        return """
                server: { bind: "127.0.0.1:0", backend: "%s" }
                instances:
                  - name: files
                    enabled: true
                    access:
                      anonymous: none
                      principals: [ { name: ci, token: "%s" } ]
                    file: { route: { path: /files }, upstreams: ["%s"], default_policy: immutable }
                """.formatted(dir.resolve("store"), token, up.baseUrl());
    }

    private int status(String token) throws Exception {
        return http.send(HttpRequest.newBuilder(proxy.uri("/files/a.bin")).header("Authorization", "Bearer " + token).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void aTokenRemovedFromTheFileStopsWorkingAfterSighup_andABrokenFileChangesNothing() throws Exception {
        proxy = ForkedProxy.start(dir, yaml("old-token"));
        assertEquals(200, status("old-token"));

        Files.writeString(proxy.configFile(), yaml("new-token"));
        proxy.hangUp();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (status("old-token") != 401) {
            assertTrue(System.nanoTime() < deadline, "the revoked token still works:\n" + proxy.log());
            Thread.sleep(100);
        }
        assertEquals(200, status("new-token"));

        Files.writeString(proxy.configFile(), yaml("newer-token").replace("anonymous: none", "anonymous: sometimes"));
        proxy.hangUp();
        deadline = System.nanoTime() + 10_000_000_000L;
        while (!proxy.log().contains("reload refused")) {
            assertTrue(System.nanoTime() < deadline, "no word of the refused reload:\n" + proxy.log());
            Thread.sleep(100);
        }
        assertTrue(proxy.log().contains("instances[0].access.anonymous"), "the problem is named:\n" + proxy.log());
        assertEquals(200, status("new-token"), "the rules in force stay");
        assertEquals(401, status("newer-token"));
        assertTrue(proxy.isAlive());
    }
}
