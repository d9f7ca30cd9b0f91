package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's own answers, worded by the request's {@link ErrorStyle}: an upstream 404/410, and an
 * upstream failure, which is a 502 (504 for a timeout) with {@code Retry-After}, never a 404.
 */
final class EngineAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(CacheEngine.class);
    private static final String RETRY_AFTER_SECONDS = "5";

    private EngineAnswers() {}

    static ProxyResponse notFound(ErrorStyle style, int status, byte[] body, CacheStatus cache) {
        ErrorStyle.Body b = style.notFound(status, body);
        return new ProxyResponse.Document(status, Headers.of("Content-Type", b.contentType()), b.bytes(), cache);
    }

    /**
     * A document the mode must have stored to transform (npm's packument) that cannot be stored now:
     * 503 with {@code Retry-After}, as the storage will have room again.
     */
    static ProxyResponse storageFull(ErrorStyle style, String instance, String key) {
        LOG.warn("[{}] cannot store {} to check or transform it: the storage is full", instance, key);
        ErrorStyle.Body b = style.unavailable("the cache's storage is full; try again later", false);
        return new ProxyResponse.Document(503, Headers.of("Content-Type", b.contentType(),
                "Retry-After", RETRY_AFTER_SECONDS), b.bytes(), CacheStatus.ERROR);
    }

    static ProxyResponse failure(ErrorStyle style, String instance, FillOutcome.Failed f) {
        LOG.warn("[{}] upstream failure: {}", instance, f.detail());
        int status = f.timeout() ? 504 : 502;
        String text = (f.timeout() ? "upstream timed out" : "upstream unavailable")
                + (f.upstreamStatus() > 0 ? " (upstream answered " + f.upstreamStatus() + ")" : "");
        ErrorStyle.Body b = style.unavailable(text, f.timeout());
        return new ProxyResponse.Document(status, Headers.of("Content-Type", b.contentType(),
                "Retry-After", RETRY_AFTER_SECONDS), b.bytes(), CacheStatus.ERROR);
    }
}
