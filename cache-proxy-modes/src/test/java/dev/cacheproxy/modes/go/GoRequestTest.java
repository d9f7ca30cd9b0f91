package dev.cacheproxy.modes.go;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cacheproxy.core.path.RequestPath;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Module proxy paths, versions, GOPRIVATE patterns and checksum database records. */
class GoRequestTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/example.com/hello/@v/list|VersionList",
            "/example.com/hello/@latest|Latest",
            "/example.com/hello/@v/v1.0.0.info|Version",
            "/example.com/hello/@v/v1.0.0.mod|Version",
            "/example.com/hello/@v/v1.0.0.zip|Version",
            "/example.com/!camel!case/@v/v0.1.0-!r!c.1.zip|Version",
            "/example.com/%21camel%21case/@v/list|VersionList",
            "/example.com/x/@v/v2.0.0+incompatible.info|Version",
            "/example.com/hello/@v/master.info|Query",
            "/example.com/hello/@v/v1.info|Query",
            "/example.com/hello/@v/master.zip|Invalid",
            "/example.com/Hello/@v/list|Invalid",
            "/hello/@v/list|Invalid",
            "/example.com/hello/@v/v1.0.0.tar|Invalid",
            "/example.com/hello|Invalid",
            "/sumdb/sum.golang.org/supported|SumdbSupported",
            "/sumdb/sum.golang.org/latest|Sumdb",
            "/sumdb/sum.golang.org/lookup/example.com/hello@v1.0.0|Sumdb",
            "/sumdb/sum.golang.org/tile/8/0/000|Sumdb",
            "/sumdb/sum.golang.org/tile/8/1/x001/234.p/5|Sumdb",
            "/sumdb/sum.golang.org/tile/8/data/000.p/17|Sumdb",
            "/sumdb/sum.golang.org/lookup/example.com/hello@latest|Invalid",
            "/sumdb/sum.golang.org/other|Invalid"})
    void requests(String path, String kind) {
        assertEquals(kind, GoRequest.of(RequestPath.parse(path)).getClass().getSimpleName());
    }

    @Test
    void tiles_fullAreImmutable_partialAreNot() {
        assertEquals(GoRequest.SumdbPart.TILE,
                ((GoRequest.Sumdb) GoRequest.of(RequestPath.parse("/sumdb/s/tile/8/0/000"))).part());
        assertEquals(GoRequest.SumdbPart.PARTIAL_TILE,
                ((GoRequest.Sumdb) GoRequest.of(RequestPath.parse("/sumdb/s/tile/8/0/000.p/3"))).part());
    }

    @Test
    void unescape() {
        assertEquals("example.com/CamelCase", ModulePaths.unescape("example.com/!camel!case"));
        assertEquals("v0.1.0-RC.1", ModulePaths.unescape("v0.1.0-!r!c.1"));
    }

    @Test
    void goprivate_matchesLeadingElements_likeTheGoCommand() {
        GoPrivate p = GoPrivate.of(List.of("*.corp.example.com", "example.com/private"));
        assertTrue(p.matches("git.corp.example.com/team/repo"));
        assertTrue(p.matches("example.com/private/x"));
        assertTrue(p.matches("example.com/private"));
        assertFalse(p.matches("example.com/public"));
        assertFalse(p.matches("corp.example.com/x"));
    }

    @Test
    void sumdbRecord_readsTheZipAndGoModHashes() {
        String lookup = "12\nexample.com/hello v1.0.0 h1:zip=\nexample.com/hello v1.0.0/go.mod h1:mod=\n\n"
                + "go.sum database tree\n13\nhash=\n\n— sum.golang.org sig\n";
        assertEquals(new SumdbRecord(Optional.of("h1:zip="), Optional.of("h1:mod=")),
                SumdbRecord.parse(lookup, "example.com/hello", "v1.0.0"));
        assertEquals(SumdbRecord.NONE, SumdbRecord.parse(lookup, "example.com/other", "v1.0.0"));
    }
}
