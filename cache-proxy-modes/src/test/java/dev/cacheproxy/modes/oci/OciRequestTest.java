package dev.cacheproxy.modes.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.path.RequestPath;
import org.junit.jupiter.api.Test;

class OciRequestTest {
    private static final String D = "sha256:" + "ab".repeat(32);

    private static OciRequest parse(String p) {
        return OciRequest.parse(RequestPath.parse(p));
    }

    @Test
    void routes() throws Exception {
        assertEquals(new OciRequest.Ping(), parse("/v2/"));
        assertEquals(new OciRequest.Ping(), parse("/v2"));
        assertEquals(new OciRequest.Catalog(), parse("/v2/_catalog"));
        assertEquals(new OciRequest.ManifestByTag("library/alpine", "3.20"), parse("/v2/library/alpine/manifests/3.20"));
        assertEquals(new OciRequest.ManifestByDigest("a", Digest.parse(D)), parse("/v2/a/manifests/" + D));
        assertEquals(new OciRequest.Blob("team/app/api", Digest.parse(D)), parse("/v2/team/app/api/blobs/" + D));
        assertEquals(new OciRequest.Tags("a/b"), parse("/v2/a/b/tags/list"));
        assertEquals(new OciRequest.Referrers("a", Digest.parse(D)), parse("/v2/a/referrers/" + D));
        assertEquals(new OciRequest.Upload("a/b"), parse("/v2/a/b/blobs/uploads/"));
        assertEquals(new OciRequest.Upload("a"), parse("/v2/a/blobs/uploads/1234-uuid"));
        // the route word is found from the end: a repository may contain one
        assertEquals(new OciRequest.ManifestByTag("x/manifests/y", "1"), parse("/v2/x/manifests/y/manifests/1"));
        assertEquals(new OciRequest.ManifestByTag("my-org/my_app.v2", "v1.0_rc-1"),
                parse("/v2/my-org/my_app.v2/manifests/v1.0_rc-1"));
    }

    @Test
    void invalid() {
        assertCode("NAME_INVALID", "/v2/Upper/manifests/1");
        assertCode("NAME_INVALID", "/v2/a..b/manifests/1");
        assertCode("NAME_INVALID", "/v2/-a/manifests/1");
        assertCode("MANIFEST_INVALID", "/v2/a/manifests/.tag");
        assertCode("MANIFEST_INVALID", "/v2/a/manifests/" + "t".repeat(129));
        assertCode("DIGEST_INVALID", "/v2/a/blobs/sha256:abc");
        assertCode("DIGEST_INVALID", "/v2/a/blobs/md5:" + "0".repeat(32));
        assertCode("DIGEST_INVALID", "/v2/a/blobs/latest");
        assertCode("DIGEST_INVALID", "/v2/a/blobs/sha256:" + "AB".repeat(32));
        assertCode("NOT_FOUND", "/v2/a/tags/other");
        assertCode("NOT_FOUND", "/v2/a/b");
        assertCode("NOT_FOUND", "/v1/a/manifests/1");
        assertCode("NOT_FOUND", "/");
    }

    private static void assertCode(String code, String path) {
        OciRequest.Invalid e = assertInstanceOf(OciRequest.Invalid.class, parse(path), path);
        assertEquals(code, e.code(), path);
    }
}
