package dev.cacheproxy.core.upstream;

import dev.cacheproxy.core.http.Headers;

/**
 * A request to send to each upstream base in turn: the method, the path below the base (already
 * percent-encoded, see {@link dev.cacheproxy.core.path.RequestPath#encoded()}), the raw query (may be
 * empty), the headers to send and the body (empty for GET and HEAD; small API payloads such as npm
 * audit requests otherwise, held in memory so each base can be sent the same bytes).
 */
public record UpstreamRequest(String method, String encodedPath, String rawQuery, Headers headers, byte[] body) {
    public UpstreamRequest(String method, String encodedPath, String rawQuery, Headers headers) {
        this(method, encodedPath, rawQuery, headers, new byte[0]);
    }

    public static UpstreamRequest get(String encodedPath, Headers headers) {
        return new UpstreamRequest("GET", encodedPath, "", headers);
    }
}
