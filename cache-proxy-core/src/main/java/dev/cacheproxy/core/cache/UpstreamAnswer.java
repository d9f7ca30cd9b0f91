package dev.cacheproxy.core.cache;

/**
 * What a fill does with the upstream's answer to its GET: a pure function of the status, whether a
 * stored copy is being revalidated and whether the answer's validators match it. Kept apart from the
 * I/O that carries it out ({@link Filler}) and tested as a table.
 */
enum UpstreamAnswer {
    /** 304, or a 200 with the stored copy's validators: the stored copy is renewed. */
    UNCHANGED,
    /** 200 with new content: stream it into the store. */
    STORE,
    /** 404 or 410: remembered for {@code negative_cache_for}; a stored copy is forgotten. */
    MISSING,
    /** 5xx, or a 429 while a stored copy exists: an upstream failure (the stored copy is served if any). */
    FAILED,
    /** Anything else (401, 403, a 429 with nothing stored, ...): passed to the client, not stored. */
    PASS_THROUGH;

    static UpstreamAnswer classify(int status, boolean revalidating, boolean sameValidators) {
        if (revalidating && (status == 304 || (status == 200 && sameValidators))) {
            return UNCHANGED;
        }
        if (status == 200) {
            return STORE;
        }
        if (status == 404 || status == 410) {
            return MISSING;
        }
        // a rate limit never hides a stored copy; without one the 429 and its Retry-After pass
        if (status >= 500 || (status == 429 && revalidating)) {
            return FAILED;
        }
        return PASS_THROUGH;
    }
}
