package dev.cacheproxy.modes.npm;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.cacheproxy.core.http.CacheStatus;
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
     * cache status; anything else is returned unchanged.
     */
    static ProxyResponse npmStyle(ProxyResponse r) {
        if (!(r instanceof ProxyResponse.Document d) || d.status() < 400) {
            return r;
        }
        String message = d.status() == 404 || d.status() == 410 ? "Not found"
                : new String(d.body(), StandardCharsets.UTF_8).strip();
        if (d.status() != 404 && d.status() != 410 && d.cache() != null && d.cache() != CacheStatus.ERROR) {
            return r; // an upstream 4xx passed through (401, 403, 429): its own body says more than we could
        }
        Headers.Builder h = Headers.builder().set("Content-Type", "application/json");
        d.headers().first("Retry-After").ifPresent(v -> h.set("Retry-After", v));
        return new ProxyResponse.Document(d.status(), h.build(), body(message), d.cache());
    }

    private static byte[] body(String message) {
        char[] quoted = JsonStringEncoder.getInstance().quoteAsString(message);
        return ("{\"error\":\"" + new String(quoted) + "\"}\n").getBytes(StandardCharsets.UTF_8);
    }
}
