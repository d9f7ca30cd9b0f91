package dev.cacheproxy.modes.deb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads Debian control-file stanzas (Release, Packages, Sources: {@code Field: value} lines, continuation
 * lines starting with a space or tab, stanzas separated by blank lines) as a stream, keeping only the
 * fields asked for, so that a 50 MB Packages file never sits in memory. Field names are matched
 * case-insensitively and handed out in lower case; a continued value keeps its lines joined with
 * {@code \n} (the first line being whatever followed the colon).
 */
final class ControlStanzas {
    private ControlStanzas() {}

    static void forEach(InputStream in, Set<String> fields, Consumer<Map<String, String>> stanza) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024);
        Map<String, String> current = new HashMap<>();
        String field = null;
        StringBuilder value = null;
        for (String line; (line = r.readLine()) != null; ) {
            if (line.isBlank()) {
                if (field != null) {
                    current.put(field, value.toString());
                    field = null;
                }
                if (!current.isEmpty()) {
                    stanza.accept(current);
                    current = new HashMap<>();
                }
                continue;
            }
            char c = line.charAt(0);
            if (c == ' ' || c == '\t') {
                if (field != null) {
                    value.append('\n').append(line.strip());
                }
                continue;
            }
            if (field != null) {
                current.put(field, value.toString());
                field = null;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            if (fields.contains(name)) {
                field = name;
                value = new StringBuilder(line.substring(colon + 1).strip());
            }
        }
        if (field != null) {
            current.put(field, value.toString());
        }
        if (!current.isEmpty()) {
            stanza.accept(current);
        }
    }
}
