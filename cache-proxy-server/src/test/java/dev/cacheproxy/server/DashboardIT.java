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
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard in a real browser (Debian's headless Chromium, which bin/test-tools installs): the page
 * loads without console errors, shows each instance with its client setup line, and its script
 * refreshes it from /-/status; without JavaScript it is a plain table; a screenshot is kept in
 * target/dashboard.png. curl and scripts still get the plain-text home page.
 */
class DashboardIT {
    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private TestProxy proxy;

    @BeforeEach
    void start() throws Exception {
        up.start();
        up.stubFor(get(urlPathMatching("/.*")).willReturn(aResponse().withBody("x")));
        proxy = TestProxy.start(dir, "", TestProxy.FILE_INSTANCE + """
                  - name: npm
                    enabled: true
                    npm:
                      route: { path: /npm }
                      upstream: ${UPSTREAM}
                """, up.baseUrl());
    }

    @AfterEach
    void stop() {
        proxy.close();
        up.stop();
    }

    @Test
    void theDashboardRendersInChromium_withoutConsoleErrors_andRefreshesItself() throws Exception {
        proxy.get("/files/%3Cscript%3Ealert(1)%3C/script%3E.bin");
        proxy.get("/files/a.bin");
        proxy.get("/files/a.bin");
        String url = "http://127.0.0.1:" + proxy.port() + "/";

        HttpResponse<byte[]> plain = proxy.get("/", "Accept", "text/html");
        String html = new String(plain.body());
        assertEquals("text/html; charset=utf-8", plain.headers().firstValue("Content-Type").orElse(""));
        assertTrue(html.contains("<td><b>files</b>") && html.contains("<td><b>npm</b>"), html);
        assertTrue(html.contains("npm config set registry " + url + "npm/"), "npm's setup line, server-rendered");
        assertTrue(html.contains("33.3%"), "the hit ratio (1 hit of 3) is in the table without JavaScript");
        assertFalse(new String(proxy.get("/").body()).contains("<html"), "curl still gets plain text");

        Commands.Result dom = Commands.exec(dir, List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--enable-logging=stderr", "--v=0", "--virtual-time-budget=6000", "--dump-dom", url), 120);
        assertEquals(0, dom.exit(), dom.output());
        assertTrue(dom.output().contains("data-updated=\""), "the script ran and refreshed the page:\n" + dom.output());
        assertTrue(dom.output().contains("<polyline") || dom.output().contains("<svg class=\"spark\""), dom.output());
        for (String line : dom.output().lines().toList()) {
            assertFalse(line.contains("CONSOLE") && (line.contains("Uncaught") || line.contains("Error")),
                    "console error: " + line);
        }

        Path shot = Path.of("target", "dashboard.png").toAbsolutePath();
        Files.deleteIfExists(shot);
        Commands.Result png = Commands.exec(dir, List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", "--window-size=1100,700", "--virtual-time-budget=6000", "--screenshot=" + shot, url), 120);
        assertEquals(0, png.exit(), png.output());
        assertTrue(Files.size(shot) > 10_000, "a screenshot of the page: " + shot);
    }
}
