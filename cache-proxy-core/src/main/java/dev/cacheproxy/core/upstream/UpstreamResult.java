package dev.cacheproxy.core.upstream;

import dev.cacheproxy.core.http.Headers;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

/** What asking the upstreams produced: an answer with a status, or a failure with no answer at all. */
public sealed interface UpstreamResult {
    /**
     * An HTTP answer. The caller owns {@code body} and must close it. {@code uri} is where it came from
     * (after redirects), {@code base} the configured upstream (or allowed scope) that was asked.
     */
    record Answered(int status, Headers headers, InputStream body, URI uri, URI base) implements UpstreamResult, AutoCloseable {
        public long contentLength() {
            return headers.first("Content-Length").map(v -> {
                try {
                    return Long.parseLong(v.trim());
                } catch (NumberFormatException e) {
                    return -1L;
                }
            }).orElse(-1L);
        }

        @Override
        public void close() {
            try {
                body.close();
            } catch (IOException ignored) {
                // closing an abandoned body
            }
        }
    }

    /** No upstream answered: connection refused, reset, DNS, or a timeout. */
    record Failed(boolean timeout, String detail) implements UpstreamResult {}
}
