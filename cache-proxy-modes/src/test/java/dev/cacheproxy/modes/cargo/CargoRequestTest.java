package dev.cacheproxy.modes.cargo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cacheproxy.core.path.RequestPath;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Index paths, download templates and index lines. */
class CargoRequestTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/|Config", "/config.json|Config",
            "/1/a|Index", "/2/ab|Index", "/3/a/abc|Index", "/se/rd/serde|Index", "/Se/Rd/Serde|Index",
            "/se/rd/other|Invalid", "/3/b/abc|Invalid", "/se/rd/|Invalid", "/1/ab|Invalid",
            "/api/v1/crates/serde/1.0.0/download|Download", "/api/v1/crates?q=serde|Api",
            "/api/v1/crates/serde|Api", "/api/v1/crates/se%20rde/1.0.0/download|Invalid"})
    void requests(String path, String kind) {
        assertEquals(kind, CargoRequest.of(RequestPath.parse(path)).getClass().getSimpleName());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "https://dl.example.test/crates|https://dl.example.test/crates/Serde_json/1.0.0/download|https://dl.example.test/crates/",
            "https://dl.example.test/crates/|https://dl.example.test/crates/Serde_json/1.0.0/download|https://dl.example.test/crates/",
            "https://h.example.test/c/{crate}/{crate}-{version}.crate|https://h.example.test/c/Serde_json/Serde_json-1.0.0.crate|https://h.example.test/c/",
            "https://h.example.test/p/{prefix}/{crate}|https://h.example.test/p/Se/rd/Serde_json|https://h.example.test/p/",
            "https://h.example.test/p/{lowerprefix}/{sha256-checksum}|https://h.example.test/p/se/rd/abc123|https://h.example.test/p/",
            "https://h.example.test/x{crate}|https://h.example.test/xSerde_json|https://h.example.test/"})
    void downloadTemplates(String template, String expanded, String base) {
        DownloadTemplate t = new DownloadTemplate(template);
        assertEquals(URI.create(expanded), t.expand("Serde_json", "1.0.0", "abc123"));
        assertEquals(URI.create(base), t.base());
    }

    @Test
    void indexFile_givesTheChecksumOfOneVersion() throws IOException {
        String index = "{\"name\":\"a\",\"vers\":\"1.0.0\",\"cksum\":\"AA\"}\n{\"name\":\"a\",\"vers\":\"1.0.0-rc.1\",\"cksum\":\"bb\"}\n";
        assertEquals(Optional.of("aa"), IndexFile.checksum(new ByteArrayInputStream(index.getBytes(StandardCharsets.UTF_8)), "1.0.0"));
        assertEquals(Optional.of("bb"), IndexFile.checksum(new ByteArrayInputStream(index.getBytes(StandardCharsets.UTF_8)), "1.0.0-rc.1"));
        assertEquals(Optional.empty(), IndexFile.checksum(new ByteArrayInputStream(index.getBytes(StandardCharsets.UTF_8)), "2.0.0"));
        assertEquals("3/a/abc", IndexFile.path("ABC"));
    }
}
