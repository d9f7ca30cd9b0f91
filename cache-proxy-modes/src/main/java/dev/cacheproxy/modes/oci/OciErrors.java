package dev.cacheproxy.modes.oci;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.cacheproxy.core.cache.ErrorStyle;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import java.nio.charset.StandardCharsets;

/**
 * Errors in the Distribution API's JSON shape, {@code {"errors":[{"code":..,"message":..}]}}, which
 * docker, skopeo and containerd print. An upstream failure is {@code UNAVAILABLE} (502/504), never
 * {@code MANIFEST_UNKNOWN}: a client must be able to tell "gone" from "cannot reach".
 */
final class OciErrors {
    private OciErrors() {}

    static ProxyResponse.Document error(int status, String code, String message) {
        return new ProxyResponse.Document(status, Headers.of("Content-Type", "application/json"), body(code, message));
    }

    static ProxyResponse.Document unsupported(String message) {
        return error(405, "UNSUPPORTED", message).withHeader("Allow", "GET, HEAD");
    }

    static final ErrorStyle MANIFEST_UNKNOWN = style("MANIFEST_UNKNOWN", "manifest unknown");
    static final ErrorStyle BLOB_UNKNOWN = style("BLOB_UNKNOWN", "blob unknown to registry");
    static final ErrorStyle NAME_UNKNOWN = style("NAME_UNKNOWN", "repository name not known to registry");

    /**
     * The engine's answers in the registry's shape. A 404 keeps the upstream's own registry error (it
     * says NAME_UNKNOWN or MANIFEST_UNKNOWN better than we could) or becomes {@code notFoundCode}; 502
     * and 504 become {@code UNAVAILABLE} (their {@code Retry-After} is the engine's).
     */
    private static ErrorStyle style(String notFoundCode, String notFoundMessage) {
        return new ErrorStyle() {
            @Override
            public Body notFound(int status, byte[] upstreamBody) {
                String text = new String(upstreamBody, StandardCharsets.UTF_8).strip();
                return new Body("application/json",
                        isRegistryError(text) ? upstreamBody : body(notFoundCode, notFoundMessage));
            }

            @Override
            public Body unavailable(String message, boolean timeout) {
                return new Body("application/json", body("UNAVAILABLE", message));
            }
        };
    }

    /**
     * An error answer without the upstream's {@code WWW-Authenticate}: the proxy does the
     * authenticating, and a client that saw the challenge would fetch a token for the upstream and send
     * it to us. Other upstream errors (401, 403, 429 with its {@code Retry-After}) pass with their body.
     */
    static ProxyResponse withoutChallenge(ProxyResponse r) {
        return r.status() >= 400 && r.headers().contains("WWW-Authenticate")
                ? r.mapHeaders(h -> h.toBuilder().remove("WWW-Authenticate").build())
                : r;
    }

    private static boolean isRegistryError(String text) {
        return text.startsWith("{") && text.contains("\"errors\"");
    }

    private static byte[] body(String code, String message) {
        JsonStringEncoder enc = JsonStringEncoder.getInstance();
        return ("{\"errors\":[{\"code\":\"" + new String(enc.quoteAsString(code)) + "\",\"message\":\""
                + new String(enc.quoteAsString(message)) + "\",\"detail\":null}]}\n").getBytes(StandardCharsets.UTF_8);
    }
}
