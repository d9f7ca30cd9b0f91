package dev.cacheproxy.modes.deb;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.testing.Bodies;
import dev.cacheproxy.core.testing.ModeHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Debian root's background refresh driven from the test (the harness's scheduler runs it when the
 * clock moves; nothing sleeps): discovered by a client's Release request, published as a generation,
 * then served from it without the upstream, also once the upstream is gone.
 */
class DebGenerationTest {
    @TempDir
    Path dir;

    private final WireMockServer up = new WireMockServer(wireMockConfig().dynamicPort());
    private ModeHarness h;

    @BeforeEach
    void start() throws Exception {
        up.start();
        h = new ModeHarness(dir);
        h.start(new DebMode(), "deb", Map.of("route", Map.of("path", "/deb"),
                "upstreams", List.of(up.baseUrl() + "/debian")));
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
        up.stop();
    }

    @Test
    void discoveredRoot_isRefreshedWhenTheClockSays_andServedFromItsGeneration() throws Exception {
        byte[] packages = "Package: hello\nVersion: 1.0\nFilename: pool/main/h/hello_1.0_all.deb\n".getBytes(StandardCharsets.UTF_8);
        byte[] release = ("Origin: Test\nSuite: stable\nCodename: stable\nArchitectures: all\nComponents: main\nSHA256:\n "
                + sha256(packages) + " " + packages.length + " main/binary-all/Packages\n").getBytes(StandardCharsets.UTF_8);
        up.stubFor(get(urlMatching("/debian/.*")).willReturn(aResponse().withStatus(404)));
        up.stubFor(get(urlEqualTo("/debian/dists/stable/Release")).willReturn(aResponse().withBody(release)));
        up.stubFor(get(urlEqualTo("/debian/dists/stable/main/binary-all/Packages")).willReturn(aResponse().withBody(packages)));

        ProxyResponse first = h.get("/dists/stable/Release");
        assertEquals(CacheStatus.MISS, first.cache(), "no generation yet: stored as first contact, and the root discovered");
        assertArrayEquals(release, Bodies.of(first));
        assertEquals(Duration.ofSeconds(2), h.scheduler().nextIn().orElseThrow(), "a refresh is planned after the settle time");

        assertEquals(1, h.scheduler().advanceAndRun(Duration.ofSeconds(2)));
        up.stop();
        ProxyResponse served = h.get("/dists/stable/Release");
        assertEquals(CacheStatus.HIT, served.cache(), "served from the published generation, upstream gone");
        assertArrayEquals(release, Bodies.of(served));
        assertEquals(Duration.ofHours(1), h.scheduler().nextIn().orElseThrow(), "the next refresh in refresh_interval");
    }

    /**
     * A client that fetched the Release of one generation gets that generation's indexes, even when a new
     * generation is published between its requests (PM1: a root file and the files it lists, or its
     * signature, never straddle a publish); a client that starts after the publish gets the new one.
     */
    @Test
    void aClientKeepsTheGenerationItWasFirstServed_acrossAPublish() throws Exception {
        byte[] packages1 = "Package: hello\nVersion: 1.0\nFilename: pool/main/h/hello_1.0_all.deb\n".getBytes(StandardCharsets.UTF_8);
        byte[] packages2 = "Package: hello\nVersion: 2.0\nFilename: pool/main/h/hello_2.0_all.deb\n".getBytes(StandardCharsets.UTF_8);
        byte[] release1 = release(packages1);
        byte[] release2 = release(packages2);
        up.stubFor(get(urlMatching("/debian/.*")).willReturn(aResponse().withStatus(404)));
        up.stubFor(get(urlEqualTo("/debian/dists/stable/Release")).willReturn(aResponse().withBody(release1)));
        up.stubFor(get(urlEqualTo("/debian/dists/stable/main/binary-all/Packages")).willReturn(aResponse().withBody(packages1)));
        Bodies.of(h.get("/dists/stable/Release"));
        Bodies.of(h.get("/dists/stable/main/binary-all/Packages"));
        assertEquals(1, h.scheduler().advanceAndRun(Duration.ofSeconds(2)));

        assertArrayEquals(release1, Bodies.of(h.getFrom("10.0.0.1", "/dists/stable/Release")));
        up.stubFor(get(urlEqualTo("/debian/dists/stable/Release")).willReturn(aResponse().withBody(release2)));
        up.stubFor(get(urlEqualTo("/debian/dists/stable/main/binary-all/Packages")).willReturn(aResponse().withBody(packages2)));
        assertEquals(1, h.scheduler().advanceAndRun(Duration.ofHours(1)));

        assertArrayEquals(packages1, Bodies.of(h.getFrom("10.0.0.1", "/dists/stable/main/binary-all/Packages")),
                "the index its Release lists, not the new generation's");
        assertArrayEquals(release2, Bodies.of(h.getFrom("10.0.0.2", "/dists/stable/Release")));
        assertArrayEquals(packages2, Bodies.of(h.getFrom("10.0.0.2", "/dists/stable/main/binary-all/Packages")));
    }

    /**
     * Issue 20: a root's first generation is not built while a client is still fetching packages (its build
     * would take the CPU and the upstream from that client run); once it is, the packages fetched before it,
     * unverified then, are checked against its listing: a tampered one is dropped and fetched again.
     */
    @Test
    void firstGeneration_waitsForClientsToPause_thenChecksThePackagesServedBeforeIt() throws Exception {
        byte[] hello = "hello's package\n".getBytes(StandardCharsets.UTF_8);
        byte[] bye = "bye's package\n".getBytes(StandardCharsets.UTF_8);
        byte[] packages = ("Package: hello\nFilename: pool/main/h/hello_1.0_all.deb\nSHA256: " + sha256(hello) + "\n\n"
                + "Package: bye\nFilename: pool/main/b/bye_1.0_all.deb\nSHA256: " + sha256(bye) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        up.stubFor(get(urlMatching("/debian/.*")).willReturn(aResponse().withStatus(404)));
        up.stubFor(get(urlEqualTo("/debian/dists/stable/Release")).willReturn(aResponse().withBody(release(packages))));
        up.stubFor(get(urlEqualTo("/debian/dists/stable/main/binary-all/Packages")).willReturn(aResponse().withBody(packages)));
        up.stubFor(get(urlEqualTo("/debian/pool/main/h/hello_1.0_all.deb")).willReturn(aResponse().withBody(hello)));
        up.stubFor(get(urlEqualTo("/debian/pool/main/b/bye_1.0_all.deb"))
                .willReturn(aResponse().withBody("not bye's package\n")));

        Bodies.of(h.get("/dists/stable/Release"));
        Bodies.of(h.get("/dists/stable/main/binary-all/Packages"));
        h.clock().advance(Duration.ofMillis(1500));
        assertArrayEquals(hello, Bodies.of(h.get("/pool/main/h/hello_1.0_all.deb")));
        assertEquals(CacheStatus.MISS, h.get("/pool/main/b/bye_1.0_all.deb").cache(), "no listing yet: not checked");

        assertEquals(1, h.scheduler().advanceAndRun(Duration.ofMillis(500)), "the planned refresh came due");
        assertEquals(Duration.ofMillis(500), h.scheduler().nextIn().orElseThrow(),
                "and waits until no package has been asked for a second (the last one, half a second ago)");
        assertNotEquals(CacheStatus.HIT, h.get("/dists/stable/Release").cache(), "no generation yet: first contact, revalidated");
        long refused = h.events().count("verification");
        assertEquals(1, h.scheduler().advanceAndRun(Duration.ofMillis(500)));
        assertEquals(CacheStatus.HIT, h.get("/dists/stable/Release").cache(), "published");

        assertEquals(refused + 1, h.events().count("verification"), "the stored bye did not match the listing");
        assertEquals(CacheStatus.HIT, h.get("/pool/main/h/hello_1.0_all.deb").cache(), "hello matched: kept");
        up.stubFor(get(urlEqualTo("/debian/pool/main/b/bye_1.0_all.deb")).willReturn(aResponse().withBody(bye)));
        ProxyResponse again = h.get("/pool/main/b/bye_1.0_all.deb");
        assertEquals(CacheStatus.MISS, again.cache(), "dropped, so fetched again");
        assertArrayEquals(bye, Bodies.of(again));
    }

    /** A fleet that never pauses does not keep a root without a generation for more than the longest deferral. */
    @Test
    void firstGeneration_isDeferredAtMostFifteenSeconds() throws Exception {
        byte[] hello = "hello's package\n".getBytes(StandardCharsets.UTF_8);
        byte[] packages = ("Package: hello\nFilename: pool/main/h/hello_1.0_all.deb\nSHA256: " + sha256(hello) + "\n")
                .getBytes(StandardCharsets.UTF_8);
        up.stubFor(get(urlMatching("/debian/.*")).willReturn(aResponse().withStatus(404)));
        up.stubFor(get(urlEqualTo("/debian/dists/stable/Release")).willReturn(aResponse().withBody(release(packages))));
        up.stubFor(get(urlEqualTo("/debian/dists/stable/main/binary-all/Packages")).willReturn(aResponse().withBody(packages)));
        up.stubFor(get(urlEqualTo("/debian/pool/main/h/hello_1.0_all.deb")).willReturn(aResponse().withBody(hello)));
        Bodies.of(h.get("/dists/stable/Release"));
        Bodies.of(h.get("/dists/stable/main/binary-all/Packages"));
        long publishedAt = -1;
        for (long ms = 250; ms <= 20_000 && publishedAt < 0; ms += 250) {
            // a package every quarter second, each new to the proxy (misses, as a fleet's first run makes)
            Bodies.of(h.get("/pool/main/p/p" + ms + "_1.0_all.deb"));
            h.scheduler().advanceAndRun(Duration.ofMillis(250));
            if (h.get("/dists/stable/Release").cache() == CacheStatus.HIT) {
                publishedAt = ms;
            }
        }
        assertEquals(17_000, publishedAt, "published 2 s after discovery plus the longest wait, 15 s");
    }

    private static byte[] release(byte[] packages) throws Exception {
        return ("Origin: Test\nSuite: stable\nCodename: stable\nArchitectures: all\nComponents: main\nSHA256:\n "
                + sha256(packages) + " " + packages.length + " main/binary-all/Packages\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Issue 20: a client that used the repository once can use it again when the upstream goes away
     * before the first generation is built; what it gets is verified as a generation would be.
     */
    @Test
    void firstContact_survivesTheUpstreamGoingAway_beforeTheFirstGeneration() throws Exception {
        byte[] packages = "Package: hello\nVersion: 1.0\nFilename: pool/main/h/hello_1.0_all.deb\n".getBytes(StandardCharsets.UTF_8);
        byte[] release = ("Origin: Test\nSuite: stable\nSHA256:\n " + sha256(packages) + " " + packages.length
                + " main/binary-all/Packages\n").getBytes(StandardCharsets.UTF_8);
        up.stubFor(get(urlMatching("/debian/.*")).willReturn(aResponse().withStatus(404)));
        up.stubFor(get(urlEqualTo("/debian/dists/stable/Release")).willReturn(aResponse().withBody(release)));
        up.stubFor(get(urlEqualTo("/debian/dists/stable/main/binary-all/Packages"))
                .willReturn(aResponse().withBody("Package: evil\n")));

        assertArrayEquals(release, Bodies.of(h.get("/dists/stable/Release")));
        ProxyResponse tampered = h.get("/dists/stable/main/binary-all/Packages");
        if (tampered.status() == 200) {
            // streamed while it arrived: the body is cut when the digest does not match
            assertThrows(IOException.class, () -> Bodies.of(tampered), "an index not matching the Release is refused");
        } else {
            assertEquals(502, tampered.status(), "an index that does not match the first-contact Release is refused");
        }

        up.stubFor(get(urlEqualTo("/debian/dists/stable/main/binary-all/Packages")).willReturn(aResponse().withBody(packages)));
        assertArrayEquals(packages, Bodies.of(h.get("/dists/stable/main/binary-all/Packages")));
        up.stop(); // before the refresh planned 2 s after discovery has run
        ProxyResponse again = h.get("/dists/stable/Release");
        assertEquals(200, again.status());
        assertEquals(CacheStatus.STALE, again.cache());
        assertArrayEquals(release, Bodies.of(again));
        ProxyResponse index = h.get("/dists/stable/main/binary-all/Packages");
        assertEquals(200, index.status());
        assertArrayEquals(packages, Bodies.of(index));
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
