package dev.cacheproxy.modes.pypi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads index pages in either form — PEP 503 HTML or PEP 691 JSON — as a stream of project names (the
 * root page) or {@link PageFile}s (a project page), one at a time: a page of thousands of files never
 * sits in memory whole.
 */
final class SimplePages {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private SimplePages() {}

    /** Receives a project page's files. */
    @FunctionalInterface
    interface FileSink {
        void file(PageFile f) throws IOException;
    }

    /** Receives the root page's project names. */
    @FunctionalInterface
    interface NameSink {
        void project(String name) throws IOException;
    }

    /** Whether a stored page of this {@code Content-Type} is PEP 691 JSON (else HTML). */
    static boolean isJson(String contentType) {
        return contentType != null && contentType.toLowerCase(Locale.ROOT).contains("json");
    }

    /** The files of a project page at {@code pageUrl} (links are resolved against it). */
    static void readProject(InputStream in, boolean json, URI pageUrl, FileSink sink) throws IOException {
        if (json) {
            eachArrayElement(in, "files", node -> {
                String url = text(node, "url");
                String filename = text(node, "filename");
                if (url == null || filename == null) {
                    return;
                }
                URI resolved = resolve(pageUrl, url);
                if (resolved == null) {
                    return;
                }
                Map<String, String> hashes = new LinkedHashMap<>();
                JsonNode h = node.get("hashes");
                if (h != null && h.isObject()) {
                    h.properties().forEach(e -> {
                        if (e.getValue().isTextual()) {
                            hashes.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().asText());
                        }
                    });
                }
                JsonNode yanked = node.get("yanked");
                String yankedReason = yanked == null || (yanked.isBoolean() && !yanked.asBoolean()) ? null
                        : yanked.isTextual() ? yanked.asText() : "";
                JsonNode meta = node.has("core-metadata") ? node.get("core-metadata") : node.get("dist-info-metadata");
                JsonNode gpg = node.get("gpg-sig");
                JsonNode size = node.get("size");
                sink.file(new PageFile(filename, resolved.toString(), hashes, text(node, "requires-python"),
                        yankedReason, jsonMetadata(meta), gpg != null && gpg.isBoolean() ? gpg.asBoolean() : null,
                        size != null && size.canConvertToLong() ? size.asLong() : null, text(node, "upload-time")));
            });
            return;
        }
        HtmlAnchors.read(reader(in), a -> {
            String href = a.attributes().get("href");
            if (href == null || href.isBlank()) {
                return;
            }
            int hash = href.indexOf('#');
            String fragment = hash < 0 ? "" : href.substring(hash + 1);
            URI resolved = resolve(pageUrl, hash < 0 ? href : href.substring(0, hash));
            if (resolved == null) {
                return;
            }
            Map<String, String> hashes = new LinkedHashMap<>();
            Map.Entry<String, String> fragmentHash = pair(fragment);
            if (fragmentHash != null) {
                hashes.put(fragmentHash.getKey(), fragmentHash.getValue());
            }
            Map<String, String> attrs = a.attributes();
            String meta = attrs.containsKey("data-core-metadata") ? attrs.get("data-core-metadata")
                    : attrs.get("data-dist-info-metadata");
            String gpg = attrs.get("data-gpg-sig");
            String filename = a.text().isEmpty() ? lastSegment(resolved) : a.text();
            sink.file(new PageFile(filename, resolved.toString(), hashes, attrs.get("data-requires-python"),
                    attrs.get("data-yanked"), htmlMetadata(meta), gpg == null ? null : gpg.equalsIgnoreCase("true"),
                    null, null));
        });
    }

    /** The project names of a root page. */
    static void readRoot(InputStream in, boolean json, NameSink sink) throws IOException {
        if (json) {
            eachArrayElement(in, "projects", node -> {
                String name = text(node, "name");
                if (name != null && !name.isBlank()) {
                    sink.project(name);
                }
            });
            return;
        }
        HtmlAnchors.read(reader(in), a -> {
            String name = a.text();
            if (name.isEmpty()) {
                String href = a.attributes().getOrDefault("href", "");
                String trimmed = href.endsWith("/") ? href.substring(0, href.length() - 1) : href;
                name = trimmed.substring(trimmed.lastIndexOf('/') + 1);
            }
            if (!name.isBlank()) {
                sink.project(name);
            }
        });
    }

    @FunctionalInterface
    private interface NodeSink {
        void node(JsonNode n) throws IOException;
    }

    /** Each element of the top-level array {@code field}, read one at a time. */
    private static void eachArrayElement(InputStream in, String field, NodeSink sink) throws IOException {
        try (JsonParser p = FACTORY.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not a PEP 691 page: the document is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(field) && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        sink.node(JSON.readTree(p));
                    }
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    private static Reader reader(InputStream in) {
        return new InputStreamReader(in, StandardCharsets.UTF_8);
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static URI resolve(URI page, String link) {
        try {
            return page.resolve(link.strip());
        } catch (IllegalArgumentException e) {
            return null; // not a URI: the link is dropped rather than passed on broken
        }
    }

    /** {@code name=value} (a hash fragment, a metadata attribute); null when it is not one. */
    private static Map.Entry<String, String> pair(String s) {
        int eq = s.indexOf('=');
        if (eq <= 0 || eq == s.length() - 1) {
            return null;
        }
        return Map.entry(s.substring(0, eq).toLowerCase(Locale.ROOT), s.substring(eq + 1));
    }

    private static Map<String, String> htmlMetadata(String value) {
        if (value == null || value.equalsIgnoreCase("false")) {
            return null;
        }
        Map.Entry<String, String> hash = pair(value);
        return hash == null ? Collections.emptyMap() : Map.of(hash.getKey(), hash.getValue());
    }

    private static Map<String, String> jsonMetadata(JsonNode value) {
        if (value == null || (value.isBoolean() && !value.asBoolean())) {
            return null;
        }
        Map<String, String> hashes = new LinkedHashMap<>();
        if (value.isObject()) {
            value.properties().forEach(e -> hashes.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue().asText()));
        }
        return hashes;
    }

    private static String lastSegment(URI url) {
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return URLDecoder.decode(path.substring(path.lastIndexOf('/') + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
