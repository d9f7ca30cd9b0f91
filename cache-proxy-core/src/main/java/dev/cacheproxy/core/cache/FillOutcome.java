package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.fetch.Fill;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.index.CacheEntry;

/** What the upstream's first answer to a fill turned into; every request joined to the fill gets it. */
sealed interface FillOutcome {
    /** 200: the body is being stored; followers stream it. */
    /** @param rescued served by another upstream than the preferred one ({@link CacheRequest.Fetch#preferred}) */
    record Streaming(Fill<FillOutcome> fill, Headers headers, boolean refresh, boolean rescued) implements FillOutcome {}

    /**
     * No upstream request was needed after all: another fill published the key between this
     * request's index lookup and its turn in the single-flight table.
     */
    record AlreadyStored(CacheEntry entry) implements FillOutcome {}

    /** Revalidation: 304, or 200 with the same validator. */
    record Unchanged(CacheEntry renewed) implements FillOutcome {}

    /** 404 or 410: not cached as a body, remembered by the negative cache. */
    record Missing(int status, Headers headers, byte[] body) implements FillOutcome {}

    /** Any other non-2xx answer (401, 403, 429, ...): passed to the client, never stored. */
    record Passthrough(int status, Headers headers, byte[] body) implements FillOutcome {}

    /** No usable answer: network failure, timeout, 5xx. */
    record Failed(boolean timeout, int upstreamStatus, String detail) implements FillOutcome {}
}
