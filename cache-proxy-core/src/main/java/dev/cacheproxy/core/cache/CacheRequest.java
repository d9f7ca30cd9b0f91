package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.http.Headers;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a mode asks of the engine for one client request.
 *
 * @param key the cache key inside the instance (a mode's own naming, e.g. the decoded path)
 * @param method GET or HEAD (as the client sent it)
 * @param encodedPath the path below each upstream base, percent-encoded
 * @param rawQuery the query sent upstream (empty for none)
 * @param upstreamHeaders headers to send upstream (pass-headers, Accept); never credentials of the client
 * @param clientHeaders the client's request headers (for bypass Range forwarding)
 * @param rule the effective policy
 * @param expected digests the body must match before it is stored (may be empty)
 * @param checksumHeaders response headers that state the body's digest ({@code X-Checksum-Sha1} and the
 *     like, as Maven repositories send them): algorithm by header name; a stated digest is checked too
 *     (plain hex, or {@code algorithm:hex} as in {@code Docker-Content-Digest})
 * @param revalidationHeader null to revalidate with a conditional GET; otherwise a response header that
 *     names the content ({@code Docker-Content-Digest}): revalidation then sends a HEAD and keeps the
 *     stored copy when the header is unchanged, so only a change costs a GET (registries count GETs
 *     against rate limits, not HEADs)
 * @param contentCheck what the body must look like when no digest vouches for it ({@link ContentCheck#NONE}
 *     for content of any shape)
 */
public record CacheRequest(String key, String method, String encodedPath, String rawQuery, Headers upstreamHeaders,
        Headers clientHeaders, CacheRule rule, List<Digest> expected, Map<String, String> checksumHeaders,
        String revalidationHeader, ContentCheck contentCheck) {
    public CacheRequest {
        expected = List.copyOf(expected);
        checksumHeaders = Map.copyOf(checksumHeaders);
    }

    public CacheRequest(String key, String method, String encodedPath, String rawQuery, Headers upstreamHeaders,
            Headers clientHeaders, CacheRule rule, List<Digest> expected, Map<String, String> checksumHeaders,
            String revalidationHeader) {
        this(key, method, encodedPath, rawQuery, upstreamHeaders, clientHeaders, rule, expected, checksumHeaders,
                revalidationHeader, ContentCheck.NONE);
    }

    /**
     * The response headers this request's mode declared it depends on (its revalidation header, its
     * checksum headers), in lower case: stored and replayed with the entry, passed on bypass.
     */
    public List<String> declaredHeaders() {
        List<String> names = new ArrayList<>();
        if (revalidationHeader != null) {
            names.add(revalidationHeader.toLowerCase(Locale.ROOT));
        }
        checksumHeaders.keySet().forEach(h -> names.add(h.toLowerCase(Locale.ROOT)));
        return names;
    }

    /** This request, with a plausibility check for bodies no digest vouches for. */
    public CacheRequest checkedAs(ContentCheck check) {
        return new CacheRequest(key, method, encodedPath, rawQuery, upstreamHeaders, clientHeaders, rule, expected,
                checksumHeaders, revalidationHeader, check);
    }

    public CacheRequest(String key, String method, String encodedPath, String rawQuery, Headers upstreamHeaders,
            Headers clientHeaders, CacheRule rule, List<Digest> expected, Map<String, String> checksumHeaders) {
        this(key, method, encodedPath, rawQuery, upstreamHeaders, clientHeaders, rule, expected, checksumHeaders, null);
    }

    public CacheRequest(String key, String method, String encodedPath, String rawQuery, Headers upstreamHeaders,
            Headers clientHeaders, CacheRule rule, List<Digest> expected) {
        this(key, method, encodedPath, rawQuery, upstreamHeaders, clientHeaders, rule, expected, Map.of());
    }

    /** {@link #expected} plus what the upstream's checksum headers state (malformed values are ignored). */
    public List<Digest> expectedWith(Headers response) {
        if (checksumHeaders.isEmpty()) {
            return expected;
        }
        List<Digest> all = new ArrayList<>(expected);
        checksumHeaders.forEach((header, algorithm) -> response.first(header).ifPresent(v -> {
            try {
                String value = v.trim().toLowerCase(Locale.ROOT);
                all.add(new Digest(algorithm, value.startsWith(algorithm + ":")
                        ? value.substring(algorithm.length() + 1) : value));
            } catch (IllegalArgumentException malformed) {
                // not a digest of that algorithm: nothing stated
            }
        }));
        return all;
    }
}
