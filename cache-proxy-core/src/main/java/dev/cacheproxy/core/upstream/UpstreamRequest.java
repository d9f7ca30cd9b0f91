package dev.cacheproxy.core.upstream;

import dev.cacheproxy.core.http.Headers;
import java.net.URI;

/**
 * A request to send to each upstream base in turn: the method, the path below the base (already
 * percent-encoded, see {@link dev.cacheproxy.core.path.RequestPath#encoded()}), the raw query (may be
 * empty), the headers to send and the body (empty for GET and HEAD; small API payloads such as npm
 * audit requests otherwise, held in memory so each base can be sent the same bytes). Or, with
 * {@code absolute} set, one URL outside the bases, sent only when the client's {@link AllowedTargets}
 * allow it ({@link #absolute}). {@code preferred}, when set, is the base to ask first while its circuit
 * is not open (a Linux repository package: the upstream its generation came from).
 */
public record UpstreamRequest(String method, String encodedPath, String rawQuery, Headers headers, byte[] body,
        URI absolute, URI preferred) {
    public UpstreamRequest(String method, String encodedPath, String rawQuery, Headers headers, byte[] body, URI absolute) {
        this(method, encodedPath, rawQuery, headers, body, absolute, null);
    }

    public UpstreamRequest(String method, String encodedPath, String rawQuery, Headers headers, byte[] body) {
        this(method, encodedPath, rawQuery, headers, body, null);
    }

    public UpstreamRequest(String method, String encodedPath, String rawQuery, Headers headers) {
        this(method, encodedPath, rawQuery, headers, new byte[0]);
    }

    /** {@code method} of an absolute URL outside the configured bases (a PyPI file on its files host). */
    public static UpstreamRequest absolute(String method, URI target, Headers headers) {
        return new UpstreamRequest(method, "", "", headers, new byte[0], target);
    }

    public static UpstreamRequest get(String encodedPath, Headers headers) {
        return new UpstreamRequest("GET", encodedPath, "", headers);
    }
}
