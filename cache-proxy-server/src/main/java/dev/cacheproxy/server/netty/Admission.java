package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.path.InvalidPathException;
import dev.cacheproxy.core.path.RequestPath;

/** The checks every listener makes before any mode sees a request: the method (405), then the path (400). */
sealed interface Admission {
    record Admitted(RequestPath path) implements Admission {}

    record Rejected(ProxyResponse response) implements Admission {}

    static Admission of(IncomingRequest in) {
        if (!in.isGetOrHead()) {
            return new Rejected(Responses.methodNotAllowed());
        }
        try {
            return new Admitted(in.path());
        } catch (InvalidPathException e) {
            return new Rejected(ProxyResponse.Document.text(400, "bad request path: " + e.getMessage() + "\n"));
        }
    }
}
