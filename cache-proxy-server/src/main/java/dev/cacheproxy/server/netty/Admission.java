package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.path.InvalidPathException;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.path.RequestPath;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The checks every listener makes before any mode sees a request: the method (405: only GET and HEAD,
 * unless the instance at the path accepts the method), then the path (400).
 */
sealed interface Admission {
    record Admitted(RequestPath path) implements Admission {}

    record Rejected(ProxyResponse response) implements Admission {}

    /** @param acceptsOtherMethod whether the instance at a path answers this request's method (not GET/HEAD) */
    static Admission of(IncomingRequest in, Predicate<RequestPath> acceptsOtherMethod) {
        RequestPath path;
        try {
            path = in.path();
        } catch (InvalidPathException e) {
            return in.isGetOrHead()
                    ? new Rejected(ProxyResponse.Document.text(400, "bad request path: " + e.getMessage() + "\n"))
                    : new Rejected(Responses.methodNotAllowed());
        }
        if (!in.isGetOrHead() && !acceptsOtherMethod.test(path)) {
            return new Rejected(Responses.methodNotAllowed());
        }
        return new Admitted(path);
    }

    /**
     * The 400 for a path whose segments hold an encoded slash ({@code %2F}) when the instance's protocol
     * has none (see {@link ModeInstance#allowsEncodedSlash}); empty when the path is fine for it.
     */
    static Optional<ProxyResponse> encodedSlashRefused(ModeInstance instance, RequestPath below) {
        return below.hasEncodedSlash() && !instance.allowsEncodedSlash()
                ? Optional.of(ProxyResponse.Document.text(400,
                        "bad request path: an encoded slash (%2F) is not part of any path of this protocol\n"))
                : Optional.empty();
    }

    /** Whether the request is admitted with a method other than GET/HEAD, so its body must be read. */
    static boolean readsBody(IncomingRequest in, Predicate<RequestPath> acceptsOtherMethod) {
        return !in.isGetOrHead() && of(in, acceptsOtherMethod) instanceof Admitted;
    }
}
