package dev.cacheproxy.modes.npm;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import java.nio.charset.StandardCharsets;

/**
 * Error answers in the registry's own shape, {@code {"error": "..."}} with {@code application/json}:
 * npm prints the message and, for 5xx, retries; a 404 stays a 404 and an upstream failure stays a
 * 502/504 (never a "not found").
 */
final class NpmErrors {
    private NpmErrors() {}

    static ProxyResponse.Document json(int status, String message) {
        return new ProxyResponse.Document(status, Headers.of("Content-Type", "application/json"), body(message));
    }

    /**
     * The engine's plain-text errors as npm-style JSON, keeping their status, {@code Retry-After} and
     * {@code X-Cache}; anything else is returned unchanged.
     */
    static ProxyResponse npmStyle(ProxyResponse r) {
        if (!(r instanceof ProxyResponse.Document d) || d.status() < 400) {
            return r;
        }
        String message = d.status() == 404 || d.status() == 410 ? "Not found"
                : new String(d.body(), StandardCharsets.UTF_8).strip();
        if (d.status() != 404 && d.status() != 410 && d.headers().get("X-Cache") != null
                && !"ERROR".equals(d.headers().get("X-Cache"))) {
            return r; // an upstream 4xx passed through (401, 403, 429): its own body says more than we could
        }
        Headers.Builder h = Headers.builder().set("Content-Type", "application/json");
        for (String keep : new String[] {"Retry-After", "X-Cache"}) {
            d.headers().first(keep).ifPresent(v -> h.set(keep, v));
        }
        return new ProxyResponse.Document(d.status(), h.build(), body(message));
    }

    private static byte[] body(String message) {
        char[] quoted = JsonStringEncoder.getInstance().quoteAsString(message);
        return ("{\"error\":\"" + new String(quoted) + "\"}\n").getBytes(StandardCharsets.UTF_8);
    }
}
