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
 * The dashboard in a real browser (Debian's headless Chromium, which bin/test-tools installs, driven over
 * the DevTools protocol): the page loads without console errors, shows each instance with its client
 * setup line, shows new traffic without a reload, and fits a phone's width; without JavaScript it is a
 * plain table; screenshots are kept in target/dashboard.png and target/dashboard-phone.png. curl and
 * scripts still get the plain-text home page.
 */
class DashboardIT {
    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private TestProxy proxy;

    /** The text of column {@code n} (from 1) of an instance's row, as a script expression. */
    private static String cell(String instance, int n) {
        return "document.querySelector('tr[data-name=\"" + instance + "\"] > td:nth-child(" + n + ")').textContent";
    }

    private static void await(HeadlessChromium browser, String condition, String what) throws Exception {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!"true".equals(browser.eval(condition))) {
            assertTrue(System.nanoTime() < deadline, "never happened: " + what);
            Thread.sleep(200);
        }
    }

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
    void theDashboardRendersInChromium_updatesAfterTraffic_fitsAPhone_withoutConsoleErrors() throws Exception {
        proxy.get("/files/%3Cscript%3Ealert(1)%3C/script%3E.bin");
        proxy.get("/files/a.bin");
        proxy.get("/files/a.bin");
        String url = "http://127.0.0.1:" + proxy.port() + "/";

        HttpResponse<byte[]> plain = proxy.get("/", "Accept", "text/html");
        String html = new String(plain.body());
        assertEquals("text/html; charset=utf-8", plain.headers().firstValue("Content-Type").orElse(""));
        assertTrue(html.contains("<b>files</b>") && html.contains("<b>npm</b>"), html);
        assertTrue(html.contains("npm config set registry " + url + "npm/"), "npm's setup line, server-rendered");
        assertTrue(html.contains("33.3%"), "the hit ratio (1 hit of 3) is in the table without JavaScript");
        assertFalse(new String(proxy.get("/").body()).contains("<html"), "curl still gets plain text");

        try (HeadlessChromium browser = HeadlessChromium.start(dir)) {
            browser.open(url);
            assertEquals("3", browser.eval(cell("files", 4)), "the requests of the files instance");
            assertTrue(browser.eval("document.body.innerText").contains("npm config set registry " + url + "npm/"));
            await(browser, "document.body.getAttribute('data-updated') !== null", "the script's first refresh");
            for (int k = 0; k < 4; k++) {
                proxy.get("/files/a.bin");
            }
            await(browser, cell("files", 4) + " === '7'", "the page shows the new traffic without a reload");
            assertTrue(browser.eval(cell("files", 6)).startsWith("7 req"), browser.eval(cell("files", 6)));
            assertEquals("true", browser.eval("document.querySelector('tr[data-name=\"files\"] polyline') !== null"),
                    "the sparkline is drawn");
            Path shot = Path.of("target", "dashboard.png").toAbsolutePath();
            browser.screenshot(shot);
            assertTrue(Files.size(shot) > 10_000, "a screenshot of the page: " + shot);

            browser.emulatePhone(390, 844);
            browser.open(url);
            assertEquals("true", browser.eval("document.documentElement.scrollWidth <= window.innerWidth"),
                    "on a phone the page does not scroll sideways (wide tables scroll inside themselves)");
            browser.screenshot(Path.of("target", "dashboard-phone.png").toAbsolutePath());
            assertEquals(List.of(), browser.errors(), "no console errors, failed loads or uncaught exceptions");
        }
    }
}
