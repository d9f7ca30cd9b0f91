package dev.cacheproxy.core.upstream;

import java.io.InterruptedIOException;

/** An upstream body stalled for longer than {@code idle_body_timeout}, or ran past {@code max_request_duration}. */
public final class UpstreamTimeoutException extends InterruptedIOException {
    private static final long serialVersionUID = 1L;

    public UpstreamTimeoutException(String message) {
        super(message);
    }
}
