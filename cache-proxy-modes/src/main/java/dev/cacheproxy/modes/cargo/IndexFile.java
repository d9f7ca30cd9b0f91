package dev.cacheproxy.modes.cargo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** A sparse index file: one JSON line per version of a crate; read line by line for one version's {@code cksum}. */
final class IndexFile {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Crate names as crates.io allows them (cargo's own limit is looser; the index path needs four chars for ab/cd). */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    static final Pattern VERSION = Pattern.compile("[0-9A-Za-z.+-]{1,128}");

    private IndexFile() {}

    /** The index path of {@code name}: {@code 1/a}, {@code 2/ab}, {@code 3/a/abc}, {@code ab/cd/abcd...} (lower case). */
    static String path(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return DownloadTemplate.prefix(n) + "/" + n;
    }

    /** The {@code cksum} (hex SHA-256) of {@code version} in the index file {@code in}, if listed. */
    static Optional<String> checksum(InputStream in, String version) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        for (String line; (line = r.readLine()) != null; ) {
            if (line.isBlank() || !line.contains(version)) {
                continue;
            }
            JsonNode n = JSON.readTree(line);
            if (version.equals(n.path("vers").asText()) && n.path("cksum").isTextual()) {
                return Optional.of(n.path("cksum").asText().toLowerCase(Locale.ROOT));
            }
        }
        return Optional.empty();
    }
}
