package dev.cacheproxy.modes.oci;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.testing.Bodies;
import dev.cacheproxy.core.testing.ModeContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The mode contract for OCI registries: blobs verified against their digest, tags revalidated by HEAD. */
class OciContractTest extends ModeContract {
    private static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
    private static final byte[] LAYER = "layer bytes".getBytes(StandardCharsets.UTF_8);
    private static final byte[] MANIFEST = ("{\"schemaVersion\":2,\"mediaType\":\"" + MANIFEST_TYPE + "\"}")
            .getBytes(StandardCharsets.UTF_8);

    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        h.start(new OciMode(), "hub", Map.of("bind", "127.0.0.1:0", "upstream", upstreamBase));
    }

    @Override
    protected String[] requestHeaders(Resource r) {
        return new String[] {"Accept", MANIFEST_TYPE};
    }

    @Override
    protected Resource artifact() {
        String path = "/v2/lib/app/blobs/" + digest(LAYER);
        return new Resource(path, path, LAYER);
    }

    /** Manifests are answered to GET and HEAD, with their digest, as registries do. */
    @Override
    protected void publish(Resource r) {
        if (r.path().contains("/manifests/")) {
            upstream.stubFor(any(urlEqualTo(r.upstreamPath())).willReturn(aResponse().withBody(r.body())
                    .withHeader("Content-Type", MANIFEST_TYPE).withHeader("Docker-Content-Digest", digest(r.body()))));
        } else {
            super.publish(r);
        }
    }

    /** Bytes that are not the ones the blob's digest names. */
    @Override
    protected void publishBroken(Resource r) {
        serve(r.upstreamPath(), aResponse().withBody("other bytes".getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    protected Resource revalidated() {
        return new Resource("/v2/lib/app/manifests/latest", "/v2/lib/app/manifests/latest", MANIFEST);
    }

    @Override
    protected Resource missing() {
        return new Resource("/v2/lib/app/manifests/nope", "/v2/lib/app/manifests/nope", new byte[0]);
    }

    @Override
    protected List<String> malformed() {
        return List.of("/v2/lib/app/blobs/not-a-digest", "/v2/lib/app/elsewhere", "/v3/x");
    }

    private static String digest(byte[] b) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void storageFull_aManifestByTagPassesWithTheUpstreamsDigest_andOneThatIsNotItsOwnNeverReachesTheClientWhole()
            throws Exception {
        Resource m = revalidated();
        publish(m);
        harness.diskFree(ModeHarness.MIN_FREE - 1);
        ProxyResponse passed = harness.get(m.path());
        assertEquals(200, passed.status());
        assertEquals(digest(m.body()), passed.headers().first("Docker-Content-Digest").orElseThrow());
        assertArrayEquals(m.body(), Bodies.of(passed));

        serve(m.upstreamPath(), aResponse().withBody(m.body()).withHeader("Content-Type", MANIFEST_TYPE)
                .withHeader("Docker-Content-Digest", digest("another manifest".getBytes(StandardCharsets.UTF_8))));
        ProxyResponse lying = harness.get(m.path());
        if (lying.status() == 200) {
            assertThrows(IOException.class, () -> Bodies.of(lying), "the body is cut before its end");
        } else {
            assertTrue(lying.status() >= 500, "refused with " + lying.status());
        }
    }
}
