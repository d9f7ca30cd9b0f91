package dev.cacheproxy.server;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics as Prometheus' own tool judges them: {@code promtool check metrics} on a live
 * {@code /metrics} after hits, misses, a 404 and an upstream failure has nothing to say; the alert rules
 * in {@code docs/} pass {@code promtool check rules}; every {@code cache_proxy_*} metric the rules and the
 * Grafana dashboard use is one the server exports. promtool comes from Debian's prometheus package
 * (bin/test-tools installs it).
 */
class MetricsPromtoolIT {
    private static final Pattern METRIC = Pattern.compile("cache_proxy_[a-z_]+");

    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private TestProxy proxy;

    @BeforeEach
    void start() throws Exception {
        up.start();
        up.stubFor(get("/a.bin").willReturn(aResponse().withBody("a body").withHeader("Content-Length", "6")));
        up.stubFor(get("/missing.bin").willReturn(aResponse().withStatus(404)));
        up.stubFor(get(urlPathMatching("/broken.*")).willReturn(aResponse().withStatus(503)));
        proxy = TestProxy.start(dir, """
                storage:
                  max_size: 1GiB
                  min_free: 0
                """, TestProxy.FILE_INSTANCE, up.baseUrl());
    }

    @AfterEach
    void stop() {
        proxy.close();
        up.stop();
    }

    @Test
    void liveMetricsAndTheAlertRulesPassPromtool_andTheDashboardUsesOnlyExportedMetrics() throws Exception {
        assertEquals(200, proxy.get("/files/a.bin").statusCode());
        assertEquals(200, proxy.get("/files/a.bin").statusCode());
        assertEquals(404, proxy.get("/files/missing.bin").statusCode());
        assertEquals(502, proxy.get("/files/broken.bin").statusCode());
        String metrics = assertPromtoolClean(proxy, dir);

        Path rules = Path.of("..", "docs", "prometheus-alerts.yml").toAbsolutePath().normalize();
        Commands.Result rulesCheck = Commands.exec(dir, List.of("promtool", "check", "rules", rules.toString()), 60);
        assertEquals(0, rulesCheck.exit(), rulesCheck.output());

        Set<String> exported = exportedNames(metrics);
        Set<String> used = new TreeSet<>();
        for (String doc : List.of("prometheus-alerts.yml", "grafana-dashboard.json")) {
            Matcher m = METRIC.matcher(Files.readString(Path.of("..", "docs", doc)));
            while (m.find()) {
                used.add(m.group());
            }
        }
        assertTrue(used.size() > 10, used.toString());
        for (String name : used) {
            assertTrue(exported.contains(name), name + " is used by docs/ but the server exports no such metric");
        }
    }

    /**
     * Scrapes {@code proxy}'s {@code /metrics} and has {@code promtool check metrics} read it: it must have
     * nothing to say (the Linux repository ITs call this after their traffic too, for the meters only those
     * modes register). Returns the scrape.
     */
    static String assertPromtoolClean(TestProxy proxy, Path dir) throws Exception {
        String metrics = new String(proxy.get("/metrics").body());
        Path scraped = Files.writeString(dir.resolve("metrics.txt"), metrics);
        Commands.Result check = Commands.exec(dir, List.of("sh", "-c", "promtool check metrics < " + scraped), 60);
        assertEquals(0, check.exit(), check.output());
        assertEquals("", check.output().trim(), "promtool has nothing to say about /metrics");
        return metrics;
    }

    /**
     * The names the server exports: what this scrape shows, plus the meters registered only once their
     * event happens (an eviction, a damaged blob), found in the sources by their builder names, or by the name
     * {@code MicrometerCacheEvents.counter} registers a counter under.
     */
    private static Set<String> exportedNames(String metrics) throws Exception {
        Set<String> names = new TreeSet<>();
        Matcher live = METRIC.matcher(metrics);
        while (live.find()) {
            names.add(live.group());
        }
        Pattern builder = Pattern.compile("(Counter|Gauge|Timer)\\.builder\\(\"(cache_proxy_[a-z_]+)\"|counter\\(\"(cache_proxy_[a-z_]+)\"");
        try (Stream<Path> sources = Files.walk(Path.of("src", "main", "java"))) {
            for (Path p : sources.filter(f -> f.toString().endsWith(".java")).toList()) {
                Matcher m = builder.matcher(Files.readString(p));
                while (m.find()) {
                    String kind = m.group(1) != null ? m.group(1) : "Counter";
                    String base = m.group(1) != null ? m.group(2) : m.group(3);
                    switch (kind) {
                        case "Counter" -> names.add(base + "_total");
                        case "Timer" -> names.addAll(List.of(base + "_seconds_count", base + "_seconds_sum"));
                        default -> names.add(base);
                    }
                }
            }
        }
        return names;
    }
}
