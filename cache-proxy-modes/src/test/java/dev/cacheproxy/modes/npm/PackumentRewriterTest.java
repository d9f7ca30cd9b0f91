package dev.cacheproxy.modes.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Golden files in src/test/resources/npm: the input packument and the exact expected output. */
class PackumentRewriterTest {
    private static final String PUBLIC = "http://proxy.example.invalid:8080/npm";
    private final PackumentRewriter rewriter = new PackumentRewriter(URI.create("https://registry.example.invalid/npm/"));

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = PackumentRewriterTest.class.getResourceAsStream("/npm/" + name)) {
            return in.readAllBytes();
        }
    }

    private Map<String, PackumentRewriter.Dist> assertGolden(String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, PackumentRewriter.Dist> dists;
        try (InputStream in = PackumentRewriterTest.class.getResourceAsStream("/npm/" + name + ".json")) {
            dists = rewriter.rewrite(in, out, PUBLIC);
        }
        String expected = new String(resource(name + ".expected.json"), StandardCharsets.UTF_8).strip();
        assertEquals(expected, out.toString(StandardCharsets.UTF_8));
        return dists;
    }

    @Test
    void fullScopedPackument_upstreamTarballsMoveUnderTheProxy_everythingElseIsUntouched() throws IOException {
        Map<String, PackumentRewriter.Dist> dists = assertGolden("scoped-full");
        assertEquals(List.of("@localtest/hello-dep/-/hello-dep-1.0.0.tgz", "@localtest/hello-dep/-/hello-dep-1.1.0.tgz"),
                List.copyOf(dists.keySet()), "a tarball on another host is not ours to verify");
        PackumentRewriter.Dist first = dists.get("@localtest/hello-dep/-/hello-dep-1.0.0.tgz");
        assertEquals("1.0.0", first.version());
        assertEquals("sha512-AAAA", first.integrity());
        assertEquals("0123456789abcdef0123456789abcdef01234567", first.shasum());
        PackumentRewriter.Dist second = dists.get("@localtest/hello-dep/-/hello-dep-1.1.0.tgz");
        assertNull(second.integrity(), "dist fields may come in any order, and be missing");
        assertEquals("89abcdef0123456789abcdef0123456789abcdef", second.shasum());
    }

    @Test
    void abbreviatedPackument_sameRewrite() throws IOException {
        Map<String, PackumentRewriter.Dist> dists = assertGolden("plain-abbreviated");
        assertEquals("sha512-BBBB", dists.get("hello/-/hello-1.0.0.tgz").integrity());
    }

    @Test
    void versionDocument_topLevelDistIsRewritten_nestedOnesAreNot() throws IOException {
        String in = "{\"name\":\"a\",\"version\":\"1.0.0\",\"dist\":{\"tarball\":"
                + "\"https://registry.example.invalid/npm/a/-/a-1.0.0.tgz\",\"shasum\":\"s\"},"
                + "\"nested\":{\"dist\":{\"tarball\":\"https://registry.example.invalid/npm/b/-/b-1.tgz\"}}}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, PackumentRewriter.Dist> dists =
                rewriter.rewrite(new java.io.ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), out, PUBLIC,
                        PackumentRewriter.Shape.VERSION);
        assertEquals(in.replace("https://registry.example.invalid/npm/a/", PUBLIC + "/a/"),
                out.toString(StandardCharsets.UTF_8));
        assertEquals(List.of("a/-/a-1.0.0.tgz"), List.copyOf(dists.keySet()));
    }

    @Test
    void urlsTheProxyCannotServe_areLeftAlone() throws IOException {
        PackumentRewriter onlyTgz = new PackumentRewriter(URI.create("https://registry.example.invalid/npm/"),
                below -> below.endsWith(".tgz"));
        String in = "{\"versions\":{\"1.0.0\":{\"dist\":{\"tarball\":"
                + "\"https://registry.example.invalid/npm/download/a/1.0.0\"}}}}";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Map<String, PackumentRewriter.Dist> dists =
                onlyTgz.rewrite(new java.io.ByteArrayInputStream(in.getBytes(StandardCharsets.UTF_8)), out, PUBLIC);
        assertEquals(in, out.toString(StandardCharsets.UTF_8));
        assertEquals(Map.of(), dists);
    }

    @Test
    void onlyUrlsBelowTheUpstreamBaseAreOurs() {
        assertEquals("a/-/a-1.tgz", rewriter.pathBelowUpstream("https://registry.example.invalid/npm/a/-/a-1.tgz"));
        assertEquals("a/-/a-1.tgz", rewriter.pathBelowUpstream("http://registry.example.invalid/npm/a/-/a-1.tgz"));
        assertNull(rewriter.pathBelowUpstream("https://registry.example.invalid/other/a/-/a-1.tgz"), "outside the prefix");
        assertNull(rewriter.pathBelowUpstream("https://registry.example.invalid:8443/npm/a/-/a-1.tgz"), "another port");
        assertNull(rewriter.pathBelowUpstream("https://evil.example.invalid/npm/a/-/a-1.tgz"), "another host");
        assertNull(rewriter.pathBelowUpstream("not a url"));
        assertNull(rewriter.pathBelowUpstream("https://registry.example.invalid/npm/"), "the root itself");
    }
}
