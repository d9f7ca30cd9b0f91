package dev.cacheproxy.modes.linuxrepo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.testing.Bodies;
import dev.cacheproxy.core.testing.ModeHarness;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every Linux repository mode owes a client before the first generation of its repository exists:
 * the root file it fetched is served again when the upstream goes away, and the files that root file
 * lists are served verified against it (a mismatching one is refused); a package served before any
 * generation listed it is checked once one does, and dropped when it does not match (issue 20). A Linux
 * mode's test subclasses this and supplies its root file, written around the digest of one member file,
 * and a small repository listing one package.
 */
public abstract class FirstContactContract {
    @TempDir
    protected Path dir;

    protected final WireMockServer upstream = new WireMockServer(wireMockConfig().dynamicPort());
    protected ModeHarness harness;

    /** Starts the mode's instance on {@code h} with the upstream base {@code upstreamBase + "/repo"}. */
    protected abstract void start(ModeHarness h, String upstreamBase);

    /** The root file's path below the mount (and below {@code /repo} upstream). */
    protected abstract String rootFile();

    /** A member file's path the root file lists; null when the format's root file is the only metadata (apk). */
    protected abstract String member();

    /**
     * Whether the root file lists {@link #member()} by hash, so that a member not matching it is refused.
     * False where the member is a root file of its own (pacman's {@code .db.sig}), stored at first contact
     * as the root file is.
     */
    protected boolean memberListedByHash() {
        return true;
    }

    /** The root file's bytes, listing {@link #member()} with the SHA-256 {@code memberSha256}. */
    protected abstract byte[] rootFileListing(String memberSha256, long memberSize);

    /** A package's path below the mount (and below {@code /repo} upstream), as {@link #repositoryListing} lists it. */
    protected abstract String packagePath();

    /** The bytes of the package at {@link #packagePath()}: any bytes, where the format's listing is a whole-file digest. */
    protected byte[] packageBytes() throws IOException {
        return "the package's bytes\n".getBytes();
    }

    /**
     * The metadata of a repository listing {@code pkg} at {@link #packagePath()}: path below the mount → bytes,
     * in the order a client fetches them ({@link #rootFile()} first).
     */
    protected abstract Map<String, byte[]> repositoryListing(byte[] pkg) throws IOException;

    protected static String sha256Hex(byte[] b) {
        return HexFormat.of().formatHex(DigestAlgorithm.SHA256.newMessageDigest().digest(b));
    }

    @BeforeEach
    final void startHarness() throws IOException {
        upstream.start();
        harness = new ModeHarness(dir);
        start(harness, upstream.baseUrl());
    }

    @AfterEach
    final void stopHarness() throws IOException {
        harness.close();
        upstream.stop();
    }

    @Test
    void aPackageServedBeforeTheFirstGeneration_isCheckedWhenItIsPublished_andDroppedWhenItDoesNotMatch() throws Exception {
        byte[] pkg = packageBytes();
        Map<String, byte[]> metadata = repositoryListing(pkg);
        upstream.stubFor(get(urlMatching("/repo/.*")).willReturn(aResponse().withStatus(404)));
        metadata.forEach((path, bytes) -> upstream.stubFor(get(urlEqualTo("/repo/" + path))
                .willReturn(aResponse().withBody(bytes))));
        upstream.stubFor(get(urlEqualTo("/repo/" + packagePath())).willReturn(aResponse().withBody("not the package\n")));

        for (String path : metadata.keySet()) { // a client's update: the root file discovers the root
            assertEquals(200, harness.get("/" + path).status(), path);
        }
        assertArrayEquals("not the package\n".getBytes(), Bodies.of(harness.get("/" + packagePath())),
                "no generation lists it yet: served as the upstream has it");
        long refused = harness.events().count("verification");
        for (int i = 0; i < 30 && harness.get("/" + rootFile()).cache() != CacheStatus.HIT; i++) {
            harness.scheduler().advanceAndRun(Duration.ofSeconds(1));
        }
        assertEquals(CacheStatus.HIT, harness.get("/" + rootFile()).cache(), "the first generation is published");
        assertEquals(refused + 1, harness.events().count("verification"), "the stored package did not match its listing");

        upstream.stubFor(get(urlEqualTo("/repo/" + packagePath())).willReturn(aResponse().withBody(pkg)));
        ProxyResponse again = harness.get("/" + packagePath());
        assertEquals(CacheStatus.MISS, again.cache(), "dropped, so fetched again");
        assertArrayEquals(pkg, Bodies.of(again));
        assertEquals(CacheStatus.HIT, harness.get("/" + packagePath()).cache(), "verified against the listing and kept");
    }

    @Test
    void firstContact_survivesTheUpstreamGoingAway_andItsMembersAreVerified() throws Exception {
        byte[] member = "the member file's bytes\n".getBytes();
        byte[] root = rootFileListing(sha256Hex(member), member.length);
        upstream.stubFor(get(urlMatching("/repo/.*")).willReturn(aResponse().withStatus(404)));
        upstream.stubFor(get(urlEqualTo("/repo/" + rootFile())).willReturn(aResponse().withBody(root)));

        assertArrayEquals(root, Bodies.of(harness.get("/" + rootFile())));
        if (member() != null && memberListedByHash()) {
            upstream.stubFor(get(urlEqualTo("/repo/" + member())).willReturn(aResponse().withBody("other bytes\n")));
            ProxyResponse wrong = harness.get("/" + member());
            if (wrong.status() == 200) {
                assertThrows(IOException.class, () -> Bodies.of(wrong), "a member not matching the root file is refused");
            } else {
                assertEquals(502, wrong.status());
            }
        }
        if (member() != null) {
            upstream.stubFor(get(urlEqualTo("/repo/" + member())).willReturn(aResponse().withBody(member)));
            assertArrayEquals(member, Bodies.of(harness.get("/" + member())));
        }

        upstream.stop(); // before any refresh has run: no generation exists
        ProxyResponse again = harness.get("/" + rootFile());
        assertEquals(200, again.status());
        assertEquals(CacheStatus.STALE, again.cache());
        assertArrayEquals(root, Bodies.of(again));
        if (member() != null) {
            assertArrayEquals(member, Bodies.of(harness.get("/" + member())));
        }
    }
}
