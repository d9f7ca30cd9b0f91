package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyResponse;

/** Responses the server produces itself. */
final class Responses {
    private Responses() {}

    static ProxyResponse methodNotAllowed() {
        return ProxyResponse.Document.text(405, "method not allowed: only GET and HEAD are served\n")
                .withHeader("Allow", "GET, HEAD");
    }
}
