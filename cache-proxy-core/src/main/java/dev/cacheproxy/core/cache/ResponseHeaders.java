package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.index.CacheEntry;
import java.net.URLConnection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which upstream response headers are kept, stored and replayed. Everything else (cookies, caching
 * directives of the upstream, hop-by-hop headers) is dropped: the proxy decides caching itself.
 */
final class ResponseHeaders {
    /** Stored with an entry and replayed on hits. */
    static final List<String> STORED = List.of("content-type", "etag", "last-modified", "content-encoding",
            "content-disposition", "docker-content-digest", "link");
    /** Passed through on bypassed and error responses. */
    static final List<String> PASSED = List.of("content-type", "etag", "last-modified", "content-encoding",
            "content-disposition", "content-range", "accept-ranges", "retry-after", "www-authenticate",
            "docker-content-digest", "link");

    private ResponseHeaders() {}

    static Map<String, String> toStore(Headers upstream, String keyForContentType) {
        Map<String, String> m = new TreeMap<>();
        for (String name : STORED) {
            upstream.first(name).ifPresent(v -> m.put(name, v));
        }
        m.computeIfAbsent("content-type", k -> guessContentType(keyForContentType));
        return m;
    }

    static Headers passed(Headers upstream) {
        Headers.Builder b = Headers.builder();
        for (String name : PASSED) {
            upstream.all(name).forEach(v -> b.add(name, v));
        }
        return b.build();
    }

    static Headers replay(CacheEntry entry, CacheStatus status) {
        Headers.Builder b = Headers.builder();
        entry.headers().forEach(b::add);
        if (!entry.headers().containsKey("etag")) {
            // A strong validator derived from the content, so clients can revalidate against us.
            b.set("etag", "\"" + entry.blob().hex().substring(0, 32) + "\"");
        }
        b.set("X-Cache", status.name());
        return b.build();
    }

    static String guessContentType(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        String t = URLConnection.guessContentTypeFromName(name);
        return t != null ? t : "application/octet-stream";
    }
}
