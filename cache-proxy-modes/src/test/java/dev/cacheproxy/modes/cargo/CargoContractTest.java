package dev.cacheproxy.modes.cargo;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.testing.Bodies;
import dev.cacheproxy.core.testing.ModeContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The mode contract for cargo: a crate downloaded through the proxy's {@code dl}, from the upstream's
 * {@code dl} template, verified against its index line's {@code cksum}; index files revalidated.
 */
class CargoContractTest extends ModeContract {
    private static final byte[] CRATE = {0x1f, (byte) 0x8b, 8, 0, 'c', 'r', 'a', 't', 'e'};
    private String upstreamBase;

    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        this.upstreamBase = upstreamBase;
        h.start(new CargoMode(), "cargo", Map.of("route", Map.of("path", "/cargo"), "upstream", upstreamBase + "/index/"));
    }

    @Override
    protected Resource artifact() {
        return new Resource("/api/v1/crates/demo/1.0.0/download", "/dl/demo/demo-1.0.0.crate", CRATE);
    }

    @Override
    protected void publish(Resource r) {
        super.publish(r);
        if (r.path().endsWith("/download")) {
            publishIndex(r.body());
        }
    }

    /** The index names the real crate's checksum; the download host serves other bytes. */
    @Override
    protected void publishBroken(Resource r) {
        publishIndex(CRATE);
        serve(r.upstreamPath(), aResponse().withBody(new byte[] {0x1f, (byte) 0x8b, 8, 0, 'e', 'v', 'i', 'l'}));
    }

    private void publishIndex(byte[] crate) {
        serve("/index/config.json", aResponse().withBody("{\"dl\":\"" + upstreamBase
                + "/dl/{crate}/{crate}-{version}.crate\",\"api\":null}"));
        serve("/index/de/mo/demo", aResponse().withBody("{\"name\":\"demo\",\"vers\":\"1.0.0\",\"deps\":[],\"cksum\":\""
                + sha256(crate) + "\",\"features\":{},\"yanked\":false}\n"));
    }

    @Override
    protected Resource revalidated() {
        return new Resource("/3/a/abc", "/index/3/a/abc",
                "{\"name\":\"abc\",\"vers\":\"1.0.0\",\"deps\":[],\"cksum\":\"00\",\"features\":{},\"yanked\":false}\n"
                        .getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected Resource missing() {
        return new Resource("/no/th/nothing", "/index/no/th/nothing", new byte[0]);
    }

    @Override
    protected List<String> malformed() {
        return List.of("/de/mo/other", "/3/b/abc", "/ab/cd/", "/api/v1/crates/d%20x/1.0.0/download", "/x/y/z/w/v");
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void storageFull_configJsonIsStillRewrittenToPointAtThisProxy() throws Exception {
        publishIndex(CRATE);
        harness.diskFree(ModeHarness.MIN_FREE - 1);
        ProxyResponse r = harness.get("/config.json");
        assertEquals(200, r.status());
        String config = new String(Bodies.of(r), StandardCharsets.UTF_8);
        assertTrue(config.contains("/api/v1/crates") && !config.contains(upstreamBase), config);
    }
}
