package dev.cacheproxy.core.http;

import dev.cacheproxy.core.path.RequestPath;

/**
 * A client request as a mode sees it: the method, the validated path below the instance's mount, the
 * raw query string (may be empty), the client's headers, the public base URL of the mount (for
 * rewritten documents), the body, and the address of the client's machine as the connection shows it
 * (empty when unknown; behind a reverse proxy, the proxy's).
 *
 * <p>The method is GET or HEAD, unless the instance said it {@link
 * dev.cacheproxy.core.mode.ModeInstance#accepts accepts} another one at this path; only then is the
 * body read (bounded by the server) — otherwise it is empty. A body the instance
 * {@link dev.cacheproxy.core.mode.ModeInstance#streamsUpload streams} is not read at all: it is {@code upload},
 * read as it arrives (and {@code body} is empty).
 */
public record ProxyRequest(String method, RequestPath path, String rawQuery, Headers headers, String publicBaseUrl,
        byte[] body, String clientAddress, UploadBody upload) {
    public ProxyRequest(String method, RequestPath path, String rawQuery, Headers headers, String publicBaseUrl,
            byte[] body, String clientAddress) {
        this(method, path, rawQuery, headers, publicBaseUrl, body, clientAddress, UploadBody.NONE);
    }

    public ProxyRequest(String method, RequestPath path, String rawQuery, Headers headers, String publicBaseUrl) {
        this(method, path, rawQuery, headers, publicBaseUrl, new byte[0], "");
    }

    public ProxyRequest(String method, RequestPath path, String rawQuery, Headers headers, String publicBaseUrl,
            byte[] body) {
        this(method, path, rawQuery, headers, publicBaseUrl, body, "");
    }

    public boolean isHead() {
        return method.equals("HEAD");
    }
}
