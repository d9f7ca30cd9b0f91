package dev.cacheproxy.modes.oci;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.cacheproxy.core.http.CacheStatus;
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

    /**
     * The engine's answers in the registry's shape. A 404 keeps the upstream's own registry error (it
     * says NAME_UNKNOWN or MANIFEST_UNKNOWN better than we could) or becomes {@code notFoundCode}; 502
     * and 504 become {@code UNAVAILABLE} with their {@code Retry-After}; other upstream errors (401,
     * 403, 429 with its {@code Retry-After}) pass with their body. The upstream's
     * {@code WWW-Authenticate} never reaches the client: the proxy does the authenticating, and a
     * client that saw the challenge would fetch a token for the upstream and send it to us.
     */
    static ProxyResponse registryStyle(ProxyResponse r, String notFoundCode) {
        if (r.status() < 400) {
            return r;
        }
        if (!(r instanceof ProxyResponse.Document d)) {
            return r.headers().contains("WWW-Authenticate")
                    ? r.mapHeaders(h -> h.toBuilder().remove("WWW-Authenticate").build())
                    : r;
        }
        Headers.Builder h = d.headers().toBuilder().remove("WWW-Authenticate");
        String text = new String(d.body(), StandardCharsets.UTF_8).strip();
        byte[] body = d.body();
        if (d.status() == 404 || d.status() == 410) {
            if (!isRegistryError(text)) {
                body = body(notFoundCode, switch (notFoundCode) {
                    case "BLOB_UNKNOWN" -> "blob unknown to registry";
                    case "NAME_UNKNOWN" -> "repository name not known to registry";
                    default -> "manifest unknown";
                });
            }
            h.set("Content-Type", "application/json");
        } else if (d.cache() == CacheStatus.ERROR) {
            body = body("UNAVAILABLE", text);
            h.set("Content-Type", "application/json");
        } else if (isRegistryError(text)) {
            h.set("Content-Type", "application/json");
        }
        return new ProxyResponse.Document(d.status(), h.build(), body, d.cache());
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
