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
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.testing.Bodies;
import dev.cacheproxy.core.testing.ModeHarness;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every Linux repository mode owes a client before the first generation of its repository exists:
 * the root file it fetched is served again when the upstream goes away, and the files that root file
 * lists are served verified against it (a mismatching one is refused). A Linux mode's test subclasses
 * this and supplies its root file, written around the digest of one member file.
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
    void firstContact_survivesTheUpstreamGoingAway_andItsMembersAreVerified() throws Exception {
        byte[] member = "the member file's bytes\n".getBytes();
        byte[] root = rootFileListing(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(member)),
                member.length);
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
