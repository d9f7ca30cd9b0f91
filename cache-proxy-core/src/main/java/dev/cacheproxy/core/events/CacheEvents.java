package dev.cacheproxy.core.events;

import dev.cacheproxy.core.http.CacheStatus;
import java.time.Duration;

/**
 * The narrow hook metrics hang on. Core and mode code report here and never touch a meter registry.
 * Implementations must be cheap and must not throw (wrap with {@link #guarded}). Labels stay bounded:
 * instance names come from the configuration, never from request paths.
 */
public interface CacheEvents {
    CacheEvents NONE = new CacheEvents() {};

    /** A response produced by the engine, with its X-Cache result. */
    /** The size quota evicted {@code entries} entries, freeing {@code bytes} bytes of blobs. */
    default void evicted(int entries, long bytes) {}

    /** A fill passed its body through without storing it ({@code reason}: over_quota, disk_full). */
    default void fillUnstored(String instance, String reason) {}

    default void served(String instance, CacheStatus status) {}

    /** Bytes read from the upstream (fills and bypassed bodies). */
    default void upstreamBytes(String instance, long bytes) {}

    /** An upstream exchange finished: status 0 for a network failure or timeout. */
    default void upstreamResponse(String instance, int status, Duration latency) {}

    default void fillStarted(String instance) {}

    /** A fill ended: published ({@code stored}) or aborted. */
    default void fillFinished(String instance, boolean stored, long bytes) {}

    /**
     * A fill's thread is done, whatever its answer was (a body stored or aborted, a 304, a 404, a failure,
     * a body passed on unstored): the in-flight count goes down here, once per {@link #fillStarted}.
     */
    default void fillEnded(String instance) {}

    /** A request joined a fill already in flight instead of starting its own. */
    default void followerJoined(String instance) {}

    /** Received bytes did not match the promised digest (or length); nothing was stored. */
    default void verificationFailed(String instance) {}

    /**
     * A stored blob no longer matched its name or its entry's size and was quarantined; {@code foundBy}
     * is {@code hit} (size check when serving), {@code adopt} (re-hash before a new key uses it),
     * {@code verify} (re-hash when a stored entry's digest became known) or {@code scrub} (background).
     */
    default void blobDamaged(String foundBy) {}

    /**
     * A repository root's metadata refresh ended (Linux repository modes): {@code outcome} is
     * {@code published}, {@code unchanged} or {@code failed}.
     */
    default void repositoryRefreshed(String instance, String outcome) {}

    /** How many repository roots of an instance are in {@code state} now (pending, active, suspect, removed). */
    default void repositoryRoots(String instance, String state, int count) {}

    /** An upstream's circuit breaker changed state ({@code closed}, {@code degraded}, {@code open}, {@code half-open}). */
    default void upstreamCircuit(String instance, String upstream, String from, String to) {}

    /** A hosted instance stored an upload of {@code bytes} bytes from a client of {@code protocol}. */
    default void uploaded(String instance, String protocol, long bytes) {}

    /**
     * A hosted instance refused or lost an upload ({@code reason}: too_large, mismatch, cut, over_quota,
     * disk_full, storage_error); nothing was stored.
     */
    default void uploadRefused(String instance, String protocol, String reason) {}

    /** A hosted instance answered a read of a client of {@code protocol}: a hit or a miss. */
    default void hostedRead(String instance, String protocol, boolean hit) {}

    /** A garbage collection of a hosted instance ran (the nix mode's GC by roots), removing {@code removed} entries. */
    default void collected(String instance, int removed) {}

    /** Wraps {@code delegate} so that a failing implementation never breaks a request. */
    static CacheEvents guarded(CacheEvents delegate) {
        return new GuardedCacheEvents(delegate);
    }
}
