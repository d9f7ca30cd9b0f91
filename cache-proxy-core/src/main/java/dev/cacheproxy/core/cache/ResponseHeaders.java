package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.index.CacheEntry;
import java.net.URLConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which upstream response headers are kept, stored and replayed. Everything else (cookies, caching
 * directives of the upstream, hop-by-hop headers) is dropped: the proxy decides caching itself.
 *
 * <p>Bounded: a value longer than {@link #MAX_VALUE} characters is dropped, and so is everything past
 * {@link #MAX_VALUES} values or {@link #MAX_TOTAL} characters in all, so that an upstream cannot make
 * the proxy store a header it replays on every hit and that clients then refuse (curl gives up on a
 * 200 KiB {@code Link}).
 */
final class ResponseHeaders {
    static final int MAX_VALUE = 4096;
    static final int MAX_VALUES = 32;
    static final int MAX_TOTAL = 16 * 1024;

    /**
     * Stored with an entry and replayed on hits: HTTP's own; a mode adds the headers its protocol
     * depends on through the request ({@link CacheRequest#declaredHeaders()}: OCI's content digest).
     */
    static final List<String> STORED = List.of("content-type", "etag", "last-modified", "content-encoding",
            "content-disposition", "link");
    /** Passed through on bypassed and error responses (plus the request's declared headers). */
    static final List<String> PASSED = List.of("content-type", "etag", "last-modified", "content-encoding",
            "content-disposition", "content-range", "accept-ranges", "retry-after", "www-authenticate", "link");

    private ResponseHeaders() {}

    static Map<String, String> toStore(Headers upstream, String keyForContentType, List<String> declared) {
        Map<String, String> m = new TreeMap<>();
        int total = 0;
        for (String name : withDeclared(STORED, declared)) {
            String v = upstream.first(name).orElse(null);
            if (v != null && v.length() <= MAX_VALUE && total + v.length() <= MAX_TOTAL) {
                m.put(name, v);
                total += v.length();
            }
        }
        m.computeIfAbsent("content-type", k -> guessContentType(keyForContentType));
        return m;
    }

    static Headers passed(Headers upstream, List<String> declared) {
        Headers.Builder b = Headers.builder();
        int count = 0;
        int total = 0;
        for (String name : withDeclared(PASSED, declared)) {
            for (String v : upstream.all(name)) {
                if (v.length() <= MAX_VALUE && count < MAX_VALUES && total + v.length() <= MAX_TOTAL) {
                    b.add(name, v);
                    count++;
                    total += v.length();
                }
            }
        }
        return b.build();
    }

    private static List<String> withDeclared(List<String> names, List<String> declared) {
        if (declared.isEmpty()) {
            return names;
        }
        List<String> all = new ArrayList<>(names);
        declared.stream().filter(d -> !all.contains(d)).forEach(all::add);
        return all;
    }

    /** The headers a hit on {@code entry} answers with: built on its first hit, the same instance on the next. */
    static Headers replay(CacheEntry entry) {
        return entry.replayed(ResponseHeaders::replayOf);
    }

    private static Headers replayOf(CacheEntry entry) {
        Headers.Builder b = Headers.builder();
        entry.headers().forEach(b::add);
        if (!entry.headers().containsKey("etag")) {
            // A strong validator derived from the content, so clients can revalidate against us.
            b.set("etag", "\"" + entry.blob().hex().substring(0, 32) + "\"");
        }
        return b.build();
    }

    static String guessContentType(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        String t = URLConnection.guessContentTypeFromName(name);
        return t != null ? t : "application/octet-stream";
    }
}
