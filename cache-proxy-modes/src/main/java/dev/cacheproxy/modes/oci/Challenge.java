package dev.cacheproxy.modes.oci;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One {@code WWW-Authenticate} challenge (RFC 9110 §11.6.1): a scheme and its parameters, quoted
 * values unescaped. Registries send {@code Bearer realm="…",service="…",scope="…"} or {@code Basic
 * realm="…"}.
 */
record Challenge(String scheme, Map<String, String> params) {
    static Optional<Challenge> parse(String header) {
        String h = header.trim();
        int space = h.indexOf(' ');
        String scheme = (space < 0 ? h : h.substring(0, space)).toLowerCase(Locale.ROOT);
        if (scheme.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        int i = space < 0 ? h.length() : space + 1;
        while (i < h.length()) {
            while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) i++;
            int eq = h.indexOf('=', i);
            if (eq < 0) break;
            String key = h.substring(i, eq).trim().toLowerCase(Locale.ROOT);
            StringBuilder value = new StringBuilder();
            i = eq + 1;
            if (i < h.length() && h.charAt(i) == '"') {
                for (i++; i < h.length() && h.charAt(i) != '"'; i++) {
                    if (h.charAt(i) == '\\' && i + 1 < h.length()) i++;
                    value.append(h.charAt(i));
                }
                i++; // closing quote
            } else {
                for (; i < h.length() && h.charAt(i) != ','; i++) value.append(h.charAt(i));
            }
            params.put(key, value.toString().trim());
        }
        return Optional.of(new Challenge(scheme, Map.copyOf(params)));
    }

    String param(String name) {
        return params.getOrDefault(name, "");
    }
}
