package dev.cacheproxy.modes.nix;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.testing.Bodies;
import dev.cacheproxy.core.testing.ModeHarness;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The NAR inside a NAR file against the signed NarHash: a narinfo's URL and FileHash are not covered by its
 * signature, so an upstream could point a correctly signed record at another (intact) NAR file; the file passes
 * its own hash and must still be refused.
 */
class NarHashCheckTest {
    /** What Nix 2.8 wrote for cp-dep (NarTest's DEP): xz, 140 bytes, unpacking to the NarHash of the narinfo. */
    private static final byte[] DEP_NAR_XZ = Base64.getDecoder().decode("/Td6WFoAAATm1rRGAgAhARYAAAB0L+Wj4AB/AEtdAAaANh/vps6/"
            + "droaek8r6qRTJO2hIwRx/1u/l2m68ym+JEmkcF2PMAtHKBMzvRezszyuOIWSiROZ9cvAqpWDg2Ab229m3L/y4SqHSAAAXbFTWnOD9L0AAWeAAQAAAMg8/t+xxGf7AgAAAAAEWVo=");

    @TempDir
    Path dir;

    private final WireMockServer upstream = new WireMockServer(wireMockConfig().dynamicPort());
    private ModeHarness harness;
    private final NixKeys.Signing key = NixContractTest.keyPair("narhash-1");

    @BeforeEach
    void start() throws IOException {
        upstream.start();
        harness = new ModeHarness(dir);
        harness.start(new NixMode(), "nix", Map.of("route", Map.of("path", "/nix"), "upstreams", List.of(upstream.baseUrl()),
                "trusted_public_keys", List.of(key.publicKey())));
    }

    @AfterEach
    void stop() throws IOException {
        harness.close();
        upstream.stop();
    }

    @Test
    void nixsOwnXzNar_unpacksToItsNarHash() throws Exception {
        NarInfo dep = NarInfo.parse(NarInfoTest.DEP);
        assertTrue(NarHashCheck.of(dep.url(), dep.narDigest()).orElseThrow().refuses(new ByteArrayInputStream(DEP_NAR_XZ)).isEmpty());
        NarInfo top = NarInfo.parse(NarInfoTest.TOP);
        assertTrue(NarHashCheck.of(dep.url(), top.narDigest()).orElseThrow().refuses(new ByteArrayInputStream(DEP_NAR_XZ))
                .isPresent(), "another path's NarHash");
        assertTrue(NarHashCheck.of("nar/x.nar.zst", dep.narDigest()).isEmpty(), "no zstd decoder: not checked");
    }

    /** Publishes a narinfo for {@code hash} signed by the trusted key, naming {@code file} (uncompressed) and claiming {@code nar}. */
    private String publish(String hash, byte[] file, byte[] nar) throws Exception {
        String name = "nar/" + NarInfo.nix32Sha256(file) + ".nar";
        String unsigned = "StorePath: /nix/store/" + hash + "-p\nURL: " + name + "\nCompression: none\nFileHash: sha256:"
                + NarInfo.nix32Sha256(file) + "\nFileSize: " + file.length + "\nNarHash: sha256:" + NarInfo.nix32Sha256(nar)
                + "\nNarSize: " + nar.length + "\nReferences: \n";
        upstream.stubFor(get(urlEqualTo("/" + hash + ".narinfo")).willReturn(aResponse().withBody(
                NarInfo.parse(unsigned).signedWith(key))));
        upstream.stubFor(get(urlEqualTo("/" + name)).willReturn(aResponse().withBody(file)));
        return name;
    }

    private int fetches(String path) {
        return upstream.countRequestsMatching(getRequestedFor(urlEqualTo(path)).build()).getCount();
    }

    @Test
    void aSignedNarinfoPointingAtAnotherIntactNar_isServedButItsNarIsRefused() throws Exception {
        byte[] real = "nix-archive-1 the real one".getBytes(StandardCharsets.UTF_8);
        byte[] other = "nix-archive-1 another path's".getBytes(StandardCharsets.UTF_8);
        String name = publish("0g0rbwwx8201rmifrfk2bgd5b13516xa", other, real);
        assertEquals(200, harness.get("/0g0rbwwx8201rmifrfk2bgd5b13516xa.narinfo").status());
        ProxyResponse nar = harness.get("/" + name);
        boolean whole;
        try {
            whole = nar.status() == 200 && java.util.Arrays.equals(other, Bodies.of(nar));
        } catch (IOException cut) {
            whole = false;
        }
        assertTrue(!whole, "never served as the path's NAR");
        harness.get("/" + name);
        assertEquals(2, fetches("/" + name), "not stored: fetched again");
    }

    @Test
    void aNarMatchingItsNarHash_isStored() throws Exception {
        byte[] real = "nix-archive-1 the real one".getBytes(StandardCharsets.UTF_8);
        String name = publish("j0g5w98ldmq39c8rpnrsmiz9q9fczval", real, real);
        assertEquals(200, harness.get("/j0g5w98ldmq39c8rpnrsmiz9q9fczval.narinfo").status());
        assertArrayEquals(real, Bodies.of(harness.get("/" + name)));
        assertEquals("HIT", harness.get("/" + name).cache().name());
        assertEquals(1, fetches("/" + name));
    }
}
