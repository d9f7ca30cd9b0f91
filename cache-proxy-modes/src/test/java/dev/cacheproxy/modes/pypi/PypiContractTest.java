package dev.cacheproxy.modes.pypi;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;

import dev.cacheproxy.core.testing.Bodies;
import dev.cacheproxy.core.testing.ModeContract;
import dev.cacheproxy.core.testing.ModeHarness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The mode contract for pypi: a wheel outside the upstream URL, allowed because the project page links
 * it, reached through the link the proxy writes (the page's sha256 in its path) and verified against
 * it; project pages revalidated.
 */
class PypiContractTest extends ModeContract {
    private static final byte[] WHEEL = "PK\u0003\u0004 a wheel, as far as this test is concerned".getBytes();
    private String authority;

    @Override
    protected void start(ModeHarness h, String upstreamBase) {
        this.authority = URI.create(upstreamBase).getRawAuthority();
        h.start(new PypiMode(), "pypi", Map.of("route", Map.of("path", "/pypi"), "upstream", upstreamBase + "/index/"));
    }

    @Override
    protected Resource artifact() {
        return new Resource("/files/sha256-" + sha256(WHEEL) + "/http/" + authority + "/pkgs/demo-1.0-py3-none-any.whl",
                "/pkgs/demo-1.0-py3-none-any.whl", WHEEL);
    }

    /** pip reads the project page first; it links the wheel on the files host, which allows that host. */
    @Override
    protected void beforeFetching(Resource r) throws Exception {
        serve("/index/simple/demo/", aResponse().withHeader("Content-Type", "text/html").withBody(
                "<a href=\"http://" + authority + r.upstreamPath() + "#sha256=" + sha256(WHEEL) + "\">"
                        + "demo-1.0-py3-none-any.whl</a>"));
        Bodies.of(harness.get("/simple/demo/"));
    }

    @Override
    protected void publishBroken(Resource r) {
        serve(r.upstreamPath(), aResponse().withBody("PK\u0003\u0004 another wheel under the same name".getBytes()));
    }

    @Override
    protected String[] requestHeaders(Resource r) {
        return new String[] {"Accept", "text/html"};
    }

    /** A page already in the form the proxy writes (no files to rewrite), so the body served is the body stored. */
    @Override
    protected Resource revalidated() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PageWriter.project(PageFormat.HTML, out, "meta").finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Resource("/simple/meta/", "/index/simple/meta/", out.toByteArray());
    }

    @Override
    protected Resource missing() {
        return new Resource("/simple/nothing-here/", "/index/simple/nothing-here/", new byte[0]);
    }

    @Override
    protected List<String> malformed() {
        return List.of("/other", "/simple/a/b/c", "/simple/-bad-/", "/files/sha256-00/http/" + authority + "/x.whl",
                "/files/_/ftp/" + authority + "/x.whl", "/files/_/http/" + authority, "/pypi/demo/json");
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
