/**
 * Logging plumbing that logback does not offer: {@link dev.cacheproxy.server.logging.BatchingStderrAppender}
 * writes the access log (one line per request, produced on the event loops) in batches, as nginx's
 * {@code access_log ... buffer=} does.
 */
package dev.cacheproxy.server.logging;
