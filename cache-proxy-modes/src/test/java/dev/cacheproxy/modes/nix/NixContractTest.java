package dev.cacheproxy.modes.nix;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.testing.Bodies;
import dev.cacheproxy.core.testing.ModeContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The mode contract for a {@code nix} pull-through instance: the artifact is a NAR (verified against the hash
 * its name carries), the revalidated resource a narinfo signed by the trusted key (a key pair made for the test).
 */
class NixContractTest extends ModeContract {
    private static final byte[] NAR = "nix-archive-1 contract bytes".getBytes(StandardCharsets.UTF_8);
    private static final String NAR_NAME = "nar/" + NarInfo.nix32Sha256(NAR) + ".nar.xz";
    private static final String HASH = "0g0rbwwx8201rmifrfk2bgd5b13516xa";
    private static final NixKeys.Signing KEY = keyPair("contract-1");

    /** A fresh Ed25519 pair in Nix's secret-key format (seed then public half). */
    static NixKeys.Signing keyPair(String name) {
        try {
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] pkcs8 = pair.getPrivate().getEncoded();
            byte[] x509 = pair.getPublic().getEncoded();
            byte[] secret = new byte[64];
            System.arraycopy(pkcs8, pkcs8.length - 32, secret, 0, 32);
            System.arraycopy(x509, x509.length - 32, secret, 32, 32);
            return NixKeys.secretKey(name + ":" + Base64.getEncoder().encodeToString(secret)).orElseThrow();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String narinfo(String hash, byte[] nar, NixKeys.Signing key) {
        String unsigned = "StorePath: /nix/store/" + hash + "-contract\nURL: nar/" + NarInfo.nix32Sha256(nar) + ".nar.xz\n"
                + "Compression: xz\nFileHash: sha256:" + NarInfo.nix32Sha256(nar) + "\nFileSize: " + nar.length + "\n"
                + "NarHash: sha256:" + NarInfo.nix32Sha256(Arrays.copyOf(nar, nar.length + 1)) + "\nNarSize: " + (nar.length + 1)
                + "\nReferences: \n";
        try {
            return NarInfo.parse(unsigned).signedWith(key);
        } catch (NarInfo.Invalid e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new NixMode(), "nix", Map.of("route", Map.of("path", "/nix"), "upstreams", List.of(upstreamBase + "/cache"),
                "trusted_public_keys", List.of(KEY.publicKey()), "narinfo_fresh_for", "10m"));
    }

    @Override
    protected Resource artifact() {
        return new Resource("/" + NAR_NAME, "/cache/" + NAR_NAME, NAR);
    }

    @Override
    protected void publishBroken(Resource r) {
        serve(r.upstreamPath(), aResponse().withBody("other bytes".getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    protected Resource revalidated() {
        return new Resource("/" + HASH + ".narinfo", "/cache/" + HASH + ".narinfo",
                narinfo(HASH, NAR, KEY).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected Resource missing() {
        return new Resource("/j0g5w98ldmq39c8rpnrsmiz9q9fczval.narinfo", "/cache/j0g5w98ldmq39c8rpnrsmiz9q9fczval.narinfo",
                new byte[0]);
    }

    @Override
    protected List<String> malformed() {
        return List.of("/nar/short.nar.xz", "/nar/" + NarInfo.nix32Sha256(NAR) + ".tar", "/e0g5w98ldmq39c8rpnrsmiz9q9fczval.narinfo",
                "/j0g5w98ldmq39c8rpnrsmiz9q9fczval.narinfo.bak", "/log/whatever.drv"); // dot segments never reach a mode
    }

    @Test
    void storageFull_aNarinfoSignedByAnUntrustedKeyIsStillRefused() throws Exception {
        String untrusted = narinfo(HASH, NAR, keyPair("stranger-1"));
        serve("/cache/" + HASH + ".narinfo", aResponse().withBody(untrusted));
        harness.diskFree(ModeHarness.MIN_FREE - 1);
        ProxyResponse r = harness.get("/" + HASH + ".narinfo");
        assertEquals(404, r.status(), "as Nix reads it: not in this cache");
        assertTrue(new String(Bodies.of(r), StandardCharsets.UTF_8).contains("not signed by a trusted key"));
    }
}
