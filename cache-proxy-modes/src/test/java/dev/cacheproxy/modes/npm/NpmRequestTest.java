package dev.cacheproxy.modes.npm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.path.RequestPath;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NpmRequestTest {
    private static NpmRequest route(String raw) {
        return NpmRequest.of(RequestPath.parse(raw));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "/left-pad, left-pad",
            "/@scope%2fpkg, @scope/pkg",
            "/@scope%2Fpkg, @scope/pkg",
            "/@scope/pkg, @scope/pkg",
            "/JSONStream, JSONStream",
            "/lodash.merge, lodash.merge",
    })
    void packuments_everySpellingOfAScopedName(String raw, String name) {
        assertEquals(new NpmRequest.Packument(name), route(raw));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "/left-pad/-/left-pad-1.3.0.tgz, left-pad, left-pad/-/left-pad-1.3.0.tgz",
            "/@s/p/-/p-1.0.0.tgz, @s/p, @s/p/-/p-1.0.0.tgz",
            "/@s%2fp/-/p-1.0.0.tgz, @s/p, @s/p/-/p-1.0.0.tgz",
            "/@s/p/-/@s/p-1.0.0.tgz, @s/p, @s/p/-/@s/p-1.0.0.tgz",
    })
    void tarballs_normalisedToOnePath(String raw, String name, String path) {
        assertEquals(new NpmRequest.Tarball(name, path), route(raw));
    }

    @Test
    void versionDocuments_apiCalls_andInvalidPaths() {
        assertEquals(new NpmRequest.Version("@s/p", "1.0.0"), route("/@s%2fp/1.0.0"));
        assertEquals(new NpmRequest.Version("left-pad", "latest"), route("/left-pad/latest"));
        assertEquals(new NpmRequest.Api("-/v1/search"), route("/-/v1/search"));
        assertEquals(new NpmRequest.Api("-/package/@s/p/dist-tags"), route("/-/package/@s%2fp/dist-tags"));
        assertEquals(new NpmRequest.Api("-/npm/v1/security/advisories/bulk"), route("/-/npm/v1/security/advisories/bulk"));
        assertEquals(404, ((NpmRequest.Invalid) route("/")).status());
        assertEquals(400, ((NpmRequest.Invalid) route("/@scope")).status());
        assertEquals(400, ((NpmRequest.Invalid) route("/.hidden")).status());
        assertEquals(400, ((NpmRequest.Invalid) route("/_design")).status());
        assertEquals(400, ((NpmRequest.Invalid) route("/a%2fb")).status(), "a slash only belongs after a scope");
        assertEquals(400, ((NpmRequest.Invalid) route("/sp%20ace")).status());
        assertEquals(404, ((NpmRequest.Invalid) route("/a/-/not-a-tarball.txt")).status());
        assertEquals(404, ((NpmRequest.Invalid) route("/a/b/c/d")).status());
    }

    @Test
    void tarballPathOfARewrittenUrl_matchesTheRoute() {
        assertEquals(Optional.of("@s/p/-/p-1.0.0.tgz"), NpmInstance.tarballPath("@s/p/-/p-1.0.0.tgz"));
        assertEquals(Optional.of("@s/p/-/p-1.0.0.tgz"), NpmInstance.tarballPath("@s%2fp/-/p-1.0.0.tgz"));
        assertEquals(Optional.empty(), NpmInstance.tarballPath("p"));
        assertEquals(Optional.empty(), NpmInstance.tarballPath("../x.tgz"));
    }

    @Test
    void abbreviatedDocuments_onlyWhenAskedForWithNonZeroQuality() {
        assertTrue(NpmInstance.wantsAbbreviated(Headers.of("Accept",
                "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*")));
        assertTrue(NpmInstance.wantsAbbreviated(Headers.of("Accept", "application/vnd.npm.install-v1+json")));
        assertFalse(NpmInstance.wantsAbbreviated(Headers.of("Accept", "application/json")));
        assertFalse(NpmInstance.wantsAbbreviated(Headers.of("Accept", "application/vnd.npm.install-v1+json;q=0")));
        assertFalse(NpmInstance.wantsAbbreviated(Headers.EMPTY));
    }

    @Test
    void gzip_onlyWhenAccepted() {
        assertTrue(RenderedDocuments.acceptsGzip(Headers.of("Accept-Encoding", "gzip, deflate, br")));
        assertTrue(RenderedDocuments.acceptsGzip(Headers.of("Accept-Encoding", "br;q=1, gzip;q=0.5")));
        assertFalse(RenderedDocuments.acceptsGzip(Headers.of("Accept-Encoding", "gzip;q=0")));
        assertFalse(RenderedDocuments.acceptsGzip(Headers.of("Accept-Encoding", "identity")));
        assertFalse(RenderedDocuments.acceptsGzip(Headers.EMPTY));
    }

    @Test
    void subresourceIntegrity_toDigests() {
        // sha512 of the empty string
        Digest empty = new Digest("sha512", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
                + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
        assertEquals(Optional.of(empty), RenderedDocuments.sriDigest("sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="));
        assertEquals(Optional.empty(), RenderedDocuments.sriDigest("md5-1B2M2Y8AsgTpgAmY7PhCfg=="));
        assertEquals(Optional.empty(), RenderedDocuments.sriDigest("sha512-not base64!"));
        assertEquals(Optional.empty(), RenderedDocuments.sriDigest("garbage"));
    }
}
