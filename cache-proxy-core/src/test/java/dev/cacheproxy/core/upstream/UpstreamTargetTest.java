package dev.cacheproxy.core.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamTargetTest {
    private static final URI BASE = URI.create("http://up.example.org:8080/pub");

    @ParameterizedTest
    @ValueSource(strings = {"..", "../private", "..%2Fprivate%2Fkey.txt", "x/..%2F..%2Fprivate", "%2e%2e/x", "%2E%2e",
        "a/./b", "a/%2e/b", "..%5Cprivate", "a%5C..%5C..%5Cb", "a/%2F..", "%252e%252e/../x", "%252e%252e", "a%00b", "a%zz", "a%2"})
    void resolve_refusesEveryDotSegmentSpelling(String encodedPath) {
        assertThrows(UpstreamTarget.OutsideBaseException.class, () -> UpstreamTarget.resolve(BASE, encodedPath, ""));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.txt", "dir/sub/file.tar.gz", "@scope%2fname", "group%2Fproject/file", "..a/b..", "automake_1%253a1.16.5_all.deb", "100%2525",
        "name%20with%20spaces", "a/", ""})
    void resolve_keepsPlainPathsBelowTheBase(String encodedPath) {
        URI u = UpstreamTarget.resolve(BASE, encodedPath, "q=1");
        assertTrue(u.toString().startsWith("http://up.example.org:8080/pub"), u.toString());
        assertEquals("q=1", u.getRawQuery());
    }

    @Test
    void within_isSameOriginAndBelowTheBasePath() {
        assertTrue(UpstreamTarget.within(BASE, URI.create("http://up.example.org:8080/pub/x")));
        assertTrue(UpstreamTarget.within(BASE, URI.create("http://UP.example.org:8080/pub")));
        assertFalse(UpstreamTarget.within(BASE, URI.create("http://up.example.org:8080/public/x")));
        assertFalse(UpstreamTarget.within(BASE, URI.create("http://up.example.org:8080/private/x")));
        assertFalse(UpstreamTarget.within(BASE, URI.create("http://up.example.org:9090/pub/x")));
        assertFalse(UpstreamTarget.within(BASE, URI.create("http://other.example.org:8080/pub/x")));
        assertTrue(UpstreamTarget.within(URI.create("https://h/"), URI.create("https://h:443/anything")));
    }

    @Test
    void credentials_areSplitOffTheUrl_andNeverDisplayed() {
        URI u = URI.create("https://user:S3cr%40t@mirror.example.org:8443/debian?x=1");
        assertEquals("https://mirror.example.org:8443/debian?x=1", UpstreamUrls.display(u));
        assertEquals(Optional.of("Basic dXNlcjpTM2NyQHQ="), UpstreamUrls.basicAuthorization(u));
        URI plain = URI.create("https://mirror.example.org/debian");
        assertEquals(plain, UpstreamUrls.withoutCredentials(plain));
        assertEquals(Optional.empty(), UpstreamUrls.basicAuthorization(plain));
    }
}
