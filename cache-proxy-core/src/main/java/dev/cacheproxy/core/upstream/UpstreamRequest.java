package dev.cacheproxy.core.upstream;

import dev.cacheproxy.core.http.Headers;

/**
 * A request to send to each upstream base in turn: the method, the path below the base (already
 * percent-encoded, see {@link dev.cacheproxy.core.path.RequestPath#encoded()}), the raw query (may be
 * empty) and the headers to send.
 */
public record UpstreamRequest(String method, String encodedPath, String rawQuery, Headers headers) {
    public static UpstreamRequest get(String encodedPath, Headers headers) {
        return new UpstreamRequest("GET", encodedPath, "", headers);
    }
}
