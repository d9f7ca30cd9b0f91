package dev.cacheproxy.core.http;

import dev.cacheproxy.core.path.RequestPath;

/**
 * A client request as a mode sees it: the method, the validated path below the instance's mount, the
 * raw query string (may be empty), the client's headers, the public base URL of the mount (for
 * rewritten documents) and the body.
 *
 * <p>The method is GET or HEAD, unless the instance said it {@link
 * dev.cacheproxy.core.mode.ModeInstance#accepts accepts} another one at this path; only then is the
 * body read (bounded by the server) — otherwise it is empty.
 */
public record ProxyRequest(String method, RequestPath path, String rawQuery, Headers headers, String publicBaseUrl,
        byte[] body) {
    public ProxyRequest(String method, RequestPath path, String rawQuery, Headers headers, String publicBaseUrl) {
        this(method, path, rawQuery, headers, publicBaseUrl, new byte[0]);
    }

    public boolean isHead() {
        return method.equals("HEAD");
    }
}
