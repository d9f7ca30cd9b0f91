package dev.cacheproxy.core.http;

/**
 * How a response was produced: a field of every response the cache engine makes, rendered as the
 * {@code X-Cache} header by the server's response writer only, and the {@code result} metric label.
 */
public enum CacheStatus {
    /** Served from the store without asking the upstream. */
    HIT,
    /** Fetched from the upstream (streamed while stored). */
    MISS,
    /** Served from the store although not confirmed fresh (upstream failing, or busy policy stale). */
    STALE,
    /** Stale, confirmed unchanged by the upstream (304 or same validator), served from the store. */
    REVALIDATED,
    /** Stale, changed upstream, fetched again. */
    REFRESH,
    /** Forwarded, not stored. */
    BYPASS,
    /**
     * Fetched, like a miss, from another upstream than the one the request preferred (a Linux repository's
     * generation upstream), because that one failed or its circuit is open; verified and stored as usual.
     */
    RESCUE,
    /** An error produced by the proxy (upstream failure with nothing to serve). */
    ERROR
}
