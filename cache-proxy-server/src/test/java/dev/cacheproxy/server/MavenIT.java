package dev.cacheproxy.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The maven mode over HTTP against a real nginx serving a repository tree: classification, checksum
 * verification (held .sha1 and upstream checksum headers), metadata revalidation, negative caching.
 * The real {@code mvn} build through the proxy is {@link MavenRealClientIT}.
 */
class MavenIT {
    @TempDir
    Path work;

    private Path repo;
    private NginxUpstream upstream;
    private TestProxy proxy;

    @BeforeEach
    void start() throws Exception {
        repo = work.resolve("up/maven");
        String wrong = "0".repeat(40);
        upstream = new NginxUpstream(work.resolve("nginx"), work.resolve("up"), """
                    location = /maven/com/example/lib/4.0/lib-4.0.jar { add_header X-Checksum-Sha1 %s; }
                    location = /maven/com/example/lib/5.0/lib-5.0.jar { add_header X-Checksum-Sha1 %s; }
                """.formatted(wrong, sha1(artifact(5))));
        for (int v = 1; v <= 5; v++) {
            write("com/example/lib/" + v + ".0/lib-" + v + ".0.jar", artifact(v));
            write("com/example/lib/" + v + ".0/lib-" + v + ".0.jar.sha1", sha1(artifact(v)).getBytes(StandardCharsets.US_ASCII));
        }
        write("com/example/lib/maven-metadata.xml", metadata("1.0").getBytes(StandardCharsets.UTF_8));
        upstream.start();
        proxy = TestProxy.start(work.resolve("backend"), "", """
                  - name: maven
                    enabled: true
                    maven:
                      route: { path: /maven }
                      upstream: ${UPSTREAM}
                """, upstream.url("/maven"));
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        upstream.close();
    }

    @Test
    void release_andItsChecksum_areStoredOnce() throws Exception {
        String jar = "/maven/com/example/lib/1.0/lib-1.0.jar";
        assertEquals("MISS", cache(proxy.get(jar)));
        HttpResponse<byte[]> hit = proxy.get(jar);
        assertEquals("HIT", cache(hit));
        assertArrayEquals(artifact(1), hit.body());
        assertEquals("MISS", cache(proxy.get(jar + ".sha1")));
        assertEquals("HIT", cache(proxy.get(jar + ".sha1")), "a release's checksum is immutable, never revalidated");
        assertEquals(1, upstreamHits("GET /maven/com/example/lib/1.0/lib-1.0.jar "));
    }

    @Test
    void heldSha1_refusesATamperedRelease_andNothingIsStored() throws Exception {
        String jar = "/maven/com/example/lib/3.0/lib-3.0.jar";
        assertEquals(200, proxy.get(jar + ".sha1").statusCode());
        byte[] good = artifact(3);
        byte[] bad = Arrays.copyOf(good, good.length);
        bad[100] ^= 1;
        write("com/example/lib/3.0/lib-3.0.jar", bad);
        assertNotServedWhole(jar, bad);
        write("com/example/lib/3.0/lib-3.0.jar", good);
        HttpResponse<byte[]> fixed = proxy.get(jar);
        assertEquals("MISS", cache(fixed), "the refused body was not stored");
        assertArrayEquals(good, fixed.body());
    }

    @Test
    void upstreamChecksumHeader_isVerified() throws Exception {
        assertNotServedWhole("/maven/com/example/lib/4.0/lib-4.0.jar", artifact(4));
        assertNotServedWhole("/maven/com/example/lib/4.0/lib-4.0.jar", artifact(4));
        // never stored: every attempt goes upstream again (the JDK client may retry a cut GET once more)
        org.junit.jupiter.api.Assertions.assertTrue(upstreamHits("GET /maven/com/example/lib/4.0/lib-4.0.jar ") >= 2);
        assertEquals("MISS", cache(proxy.get("/maven/com/example/lib/5.0/lib-5.0.jar")));
        assertEquals("HIT", cache(proxy.get("/maven/com/example/lib/5.0/lib-5.0.jar")), "a matching header stores");
    }

    @Test
    void metadata_isRevalidated_soANewVersionShowsAtOnce() throws Exception {
        String md = "/maven/com/example/lib/maven-metadata.xml";
        assertEquals(metadata("1.0"), new String(proxy.get(md).body(), StandardCharsets.UTF_8));
        Thread.sleep(1100); // a new Last-Modified second for nginx's validators
        write("com/example/lib/maven-metadata.xml", metadata("2.0").getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> again = proxy.get(md);
        assertEquals(metadata("2.0"), new String(again.body(), StandardCharsets.UTF_8));
        assertEquals("REFRESH", cache(again));
    }

    @Test
    void notFound_isRememberedBriefly_badPaths_are400() throws Exception {
        String missing = "/maven/com/example/nope/1.0/nope-1.0.pom";
        assertEquals(404, proxy.get(missing).statusCode());
        assertEquals(404, proxy.get(missing).statusCode());
        assertEquals(1, upstreamHits("GET " + missing + " "), "Maven's probes do not all reach the upstream");
        assertEquals(400, proxy.get("/maven/com/example/lib/").statusCode());
        assertEquals(400, proxy.get("/maven/com/ex%20ample/x.jar").statusCode());
        assertEquals(400, proxy.get("/maven/x.jar").statusCode());
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private void assertNotServedWhole(String path, byte[] bytes) throws IOException, InterruptedException {
        try {
            HttpResponse<byte[]> r = proxy.get(path);
            assertFalse(r.statusCode() == 200 && Arrays.equals(r.body(), bytes), "a body failing its checksum was served whole");
        } catch (IOException cut) {
            // expected: the body was cut when the digest did not match
        }
    }

    private long upstreamHits(String prefix) throws IOException {
        return upstream.accessLog().stream().filter(l -> l.startsWith(prefix)).count();
    }

    private static String cache(HttpResponse<?> r) {
        return r.headers().firstValue("X-Cache").orElse("-");
    }

    private void write(String path, byte[] bytes) throws IOException {
        Path p = repo.resolve(path);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
    }

    private static byte[] artifact(int seed) {
        byte[] b = new byte[200_000 + seed];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha1(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
    }

    private static String metadata(String latest) {
        return "<metadata><groupId>com.example</groupId><artifactId>lib</artifactId><versioning><latest>" + latest
                + "</latest><release>" + latest + "</release></versioning></metadata>\n";
    }
}
