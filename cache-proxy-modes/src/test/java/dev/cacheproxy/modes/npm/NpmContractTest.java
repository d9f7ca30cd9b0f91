package dev.cacheproxy.modes.npm;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import dev.cacheproxy.core.testing.Bodies;
import dev.cacheproxy.core.testing.ModeContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** The mode contract for npm: tarballs verified against the packument's {@code dist.integrity}. */
class NpmContractTest extends ModeContract {
    private static final byte[] TARBALL = {0x1f, (byte) 0x8b, 8, 0, 'd', 'e', 'm', 'o'};
    private String upstreamBase;

    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        this.upstreamBase = upstreamBase;
        h.start(new NpmMode(), "npm", Map.of("route", Map.of("path", "/npm"), "upstream", upstreamBase + "/registry"));
    }

    @Override
    protected String[] requestHeaders(Resource r) {
        return new String[] {"Accept", "application/json"};
    }

    @Override
    protected Resource artifact() {
        return new Resource("/demo/-/demo-1.0.0.tgz", "/registry/demo/-/demo-1.0.0.tgz", TARBALL);
    }

    @Override
    protected void publish(Resource r) {
        super.publish(r);
        if (r.path().endsWith(".tgz")) {
            publishPackument(r.body());
        }
    }

    @Override
    protected void publishBroken(Resource r) {
        publishPackument(r.body()); // names the digest of the real tarball...
        serve(r.upstreamPath(), aResponse().withBody(new byte[] {0x1f, (byte) 0x8b, 8, 0, 'e', 'v', 'i', 'l'}));
    }

    /** npm reads the packument first; rendering it teaches the proxy the tarball's digest. */
    @Override
    protected void beforeFetching(Resource r) throws Exception {
        Bodies.of(harness.get("/demo", "Accept", "application/json"));
    }

    private void publishPackument(byte[] tarball) {
        try {
            String integrity = "sha512-" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-512").digest(tarball));
            serve("/registry/demo", aResponse().withHeader("Content-Type", "application/json").withBody(
                    "{\"name\":\"demo\",\"versions\":{\"1.0.0\":{\"name\":\"demo\",\"version\":\"1.0.0\",\"dist\":{\"tarball\":\""
                            + upstreamBase + "/registry/demo/-/demo-1.0.0.tgz\",\"integrity\":\"" + integrity + "\"}}}}"));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    protected Resource revalidated() {
        // no tarball URL to rewrite, so the document is served as the upstream wrote it
        return new Resource("/meta", "/registry/meta", "{\"name\":\"meta\",\"versions\":{}}".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected Resource missing() {
        return new Resource("/nothing-here", "/registry/nothing-here", new byte[0]);
    }

    @Override
    protected List<String> malformed() {
        return List.of("/", "/@scope", "/demo/-/nested/x.tgz/more");
    }
}
