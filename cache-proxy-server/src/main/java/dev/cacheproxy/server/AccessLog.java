package dev.cacheproxy.server;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on the {@code access} logger (INFO):
 * {@code client method uri status bytes duration instance=.. cache=..}, plus {@code aborted} when the
 * response was cut. The time comes from the log pattern.
 */
final class AccessLog {
    private static final Logger LOG = LoggerFactory.getLogger("access");

    private AccessLog() {}

    static void log(String client, String method, String uri, int status, long bytes, Duration duration,
            String instance, String cache, String principal, boolean aborted) {
        if (LOG.isInfoEnabled()) {
            // the principal's name from the access block (never its token); only for instances with rules
            LOG.info("{} {} {} {} {}B {}ms instance={} cache={}{}{}", client, method, uri, status, bytes,
                    duration.toMillis(), instance, cache, principal == null ? "" : " principal=" + principal,
                    aborted ? " aborted" : "");
        }
    }
}
