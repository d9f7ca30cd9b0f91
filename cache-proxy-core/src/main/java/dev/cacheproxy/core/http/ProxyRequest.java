package dev.cacheproxy.core.http;

import dev.cacheproxy.core.path.RequestPath;

/**
 * A client request as a mode sees it: the method (GET or HEAD; the server answers every other method
 * itself), the validated path below the instance's mount, the raw query string (may be empty), the
 * client's headers, and the public base URL of the mount (for rewritten documents).
 */
public record ProxyRequest(String method, RequestPath path, String rawQuery, Headers headers, String publicBaseUrl) {
    public boolean isHead() {
        return method.equals("HEAD");
    }
}
