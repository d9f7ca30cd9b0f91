package dev.cacheproxy.core.cache;

import java.nio.charset.StandardCharsets;

/**
 * How a protocol words the engine's own error answers: an upstream 404/410 (fresh or remembered) and
 * an upstream failure (502/504). The engine keeps the status, {@code Retry-After} and the cache status;
 * the style gives only the body and its type, so that npm prints {@code {"error":…}}, a registry
 * client {@code {"errors":[…]}}, and a new mode its own shape without sniffing answers afterwards.
 * Upstream answers passed through (401, 403, 429) keep the upstream's own body.
 */
public interface ErrorStyle {
    /** A body and its {@code Content-Type}. */
    record Body(String contentType, byte[] bytes) {
        public static Body text(String text) {
            return new Body("text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        }
    }

    /** The body of a 404 or 410; {@code upstreamBody} is what the upstream said (may be empty). */
    Body notFound(int status, byte[] upstreamBody);

    /** The body of a 502 (504 when {@code timeout}) the proxy answers because the upstream failed. */
    Body unavailable(String message, boolean timeout);

    /** Plain text: the upstream's own 404 body, and one line saying what failed. */
    ErrorStyle PLAIN = new ErrorStyle() {
        @Override
        public Body notFound(int status, byte[] upstreamBody) {
            return new Body("text/plain; charset=utf-8", upstreamBody);
        }

        @Override
        public Body unavailable(String message, boolean timeout) {
            return Body.text(message + "\n");
        }
    };
}
