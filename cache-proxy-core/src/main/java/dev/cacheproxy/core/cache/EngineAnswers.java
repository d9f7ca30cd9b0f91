package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's own answers, in plain text (a mode reshapes them into its protocol's error format): an
 * upstream 404/410, and an upstream failure, which is a 502 (504 for a timeout) with
 * {@code Retry-After}, never a 404.
 */
final class EngineAnswers {
    private static final Logger LOG = LoggerFactory.getLogger(CacheEngine.class);
    private static final String RETRY_AFTER_SECONDS = "5";

    private EngineAnswers() {}

    static ProxyResponse notFound(int status, byte[] body, CacheStatus cache) {
        return new ProxyResponse.Document(status, Headers.of("Content-Type", "text/plain; charset=utf-8"), body, cache);
    }

    static ProxyResponse failure(String instance, FillOutcome.Failed f) {
        LOG.warn("[{}] upstream failure: {}", instance, f.detail());
        int status = f.timeout() ? 504 : 502;
        String text = (f.timeout() ? "upstream timed out" : "upstream unavailable")
                + (f.upstreamStatus() > 0 ? " (upstream answered " + f.upstreamStatus() + ")" : "") + "\n";
        return new ProxyResponse.Document(status, Headers.of("Content-Type", "text/plain; charset=utf-8",
                "Retry-After", RETRY_AFTER_SECONDS), text.getBytes(StandardCharsets.UTF_8), CacheStatus.ERROR);
    }
}
