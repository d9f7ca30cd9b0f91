package dev.cacheproxy.core.upstream;

/**
 * When an instance with several upstreams moves on to the next one.
 */
public enum Failover {
    /** A network failure, a timeout, a 5xx or a 429 moves on; any other answer (404 included) is final. */
    ON_FAILURE,
    /**
     * As {@link #ON_FAILURE}, and a 404 or 410 moves on too: the GOPROXY list semantics, where "not here"
     * means "ask the next". All candidates answering 404/410 is a 404/410; when one of them failed, the
     * failure is returned instead (it might have had the module), never a 404.
     */
    ON_FAILURE_OR_MISSING
}
