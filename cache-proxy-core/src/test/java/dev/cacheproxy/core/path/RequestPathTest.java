package dev.cacheproxy.core.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestPathTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/a/b.txt|a/b.txt|a/b.txt",
        "/name%20with%20spaces.txt|name with spaces.txt|name%20with%20spaces.txt",
        "/plus%2Bsign.txt|plus+sign.txt|plus%2Bsign.txt",
        "/plus+sign.txt|plus+sign.txt|plus%2Bsign.txt",
        "/%C3%BCn%C3%AFc%C3%B8d%C3%A9.txt|ünïcødé.txt|%C3%BCn%C3%AFc%C3%B8d%C3%A9.txt",
        "/a//b/./c|a/b/c|a/b/c",
        "/@scope%2fname|@scope/name|@scope%2Fname",
        "/%2525|%25|%2525",
    })
    void parse_decodesOnce_andEncodedRoundTrips(String raw, String decoded, String encoded) {
        RequestPath p = RequestPath.parse(raw);
        assertEquals(decoded, p.decoded());
        assertEquals(encoded, p.encoded());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/../etc/passwd", "/a/../../b", "/a/%2e%2e/b", "/a/%2E%2E", "/a%00b", "/a\\b", "/a%5cb",
        "/a%zz", "/a%4", "/%ff%fe",
        // an encoded slash must not hide a dot or empty segment from us while an upstream resolves it
        "/a%2f..%2f..%2fx", "/..%2Fprivate%2Fkey.txt", "/x/..%2F..%2Fprivate", "/a%2F.%2Fb", "/a%2F%2Fb", "/%2Fetc",
        "/a%2F", "/%2e%2e%2Fx", "/a/%c0%ae%c0%ae/b", "/%252e%252e/x", "/a/%252E%252e%252Fb", "/..%255Cx"})
    void parse_rejectsUnsafeOrMalformedPaths(String raw) {
        assertThrows(InvalidPathException.class, () -> RequestPath.parse(raw));
    }

    @Test
    void key_keepsAnEncodedSlashApartFromARealOne() {
        RequestPath encoded = RequestPath.parse("/pkg%2Fv1.tar");
        RequestPath plain = RequestPath.parse("/pkg/v1.tar");
        assertTrue(encoded.hasEncodedSlash());
        assertEquals(false, plain.hasEncodedSlash());
        assertEquals("pkg%2Fv1.tar", encoded.key());
        assertEquals("pkg/v1.tar", plain.key());
        // a literal "%2F" (sent as %252F) is a third path and a third key
        assertEquals("pkg%252Fv1.tar", RequestPath.parse("/pkg%252Fv1.tar").key());
        assertEquals("pkg%252Fv1.tar", RequestPath.parse("/pkg%252Fv1.tar").encoded());
        assertEquals("a b/c", RequestPath.parse("/a%20b/c").key());
        // a literal percent sign that is no escape, and Debian's epoch colon as apt escapes it, are ordinary names
        assertEquals("100%25.txt", RequestPath.parse("/100%25.txt").key());
        assertEquals("automake_1%253a1.16.5_all.deb", RequestPath.parse("/automake_1%253a1.16.5_all.deb").encoded());
    }

    @Test
    void startsWith_matchesWholeSegmentsOnly() {
        RequestPath mount = RequestPath.parse("/npm");
        assertTrue(RequestPath.parse("/npm/x").startsWith(mount));
        assertTrue(RequestPath.parse("/npm").startsWith(mount));
        assertEquals(false, RequestPath.parse("/npmx/y").startsWith(mount));
    }

    @Test
    void dropFirst_keepsTheRestAndTheTrailingSlash() {
        RequestPath p = RequestPath.parse("/files/dir/sub/").dropFirst(1);
        assertEquals(List.of("dir", "sub"), p.segments());
        assertEquals("dir/sub/", p.encoded());
    }

    @Test
    void root_isEmpty() {
        assertTrue(RequestPath.parse("/").isEmpty());
        assertTrue(RequestPath.parse("").isEmpty());
    }
}
