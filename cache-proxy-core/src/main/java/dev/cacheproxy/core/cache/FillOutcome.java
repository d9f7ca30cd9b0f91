package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.fetch.Fill;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.quota.StorageSpace;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

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

    /**
     * 200 whose body is not stored ({@link StorageSpace#refusal}): the upstream body goes to the first
     * request that {@link #take}s it; a request joined to the same fill finds it taken and asks the
     * upstream itself.
     */
    record Unstored(Headers headers, long contentLength, AtomicReference<InputStream> body, List<Digest> expected,
            StorageSpace.Refusal reason) implements FillOutcome {
        /** @param expected the digests the body must match (it is checked as it streams) */
        Unstored(Headers headers, long contentLength, InputStream body, List<Digest> expected, StorageSpace.Refusal reason) {
            this(headers, contentLength, new AtomicReference<>(body), List.copyOf(expected), reason);
        }

        /** The upstream body, to the first caller only (who closes it). */
        Optional<InputStream> take() {
            return Optional.ofNullable(body.getAndSet(null));
        }
    }

    /** No usable answer: network failure, timeout, 5xx. */
    record Failed(boolean timeout, int upstreamStatus, String detail) implements FillOutcome {}
}
