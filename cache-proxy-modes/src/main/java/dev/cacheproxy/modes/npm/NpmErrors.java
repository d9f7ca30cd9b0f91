package dev.cacheproxy.modes.npm;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import dev.cacheproxy.core.cache.ErrorStyle;
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
     * The engine's own errors in npm's shape (an upstream 4xx passed through, such as 401, 403 or 429,
     * keeps its own body: it says more than we could).
     */
    static final ErrorStyle STYLE = new ErrorStyle() {
        @Override
        public Body notFound(int status, byte[] upstreamBody) {
            return new Body("application/json", body("Not found"));
        }

        @Override
        public Body unavailable(String message, boolean timeout) {
            return new Body("application/json", body(message));
        }
    };

    private static byte[] body(String message) {
        char[] quoted = JsonStringEncoder.getInstance().quoteAsString(message);
        return ("{\"error\":\"" + new String(quoted) + "\"}\n").getBytes(StandardCharsets.UTF_8);
    }
}
