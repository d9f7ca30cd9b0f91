package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.cache.FreshnessDecision.Decision;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.fetch.Fill;
import dev.cacheproxy.core.fetch.FillLimiter;
import dev.cacheproxy.core.fetch.FillRegistry;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.quota.StorageSpace;
import dev.cacheproxy.core.upstream.UpstreamClient;
import dev.cacheproxy.core.upstream.UpstreamRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache engine of one instance: looks the key up, asks {@link FreshnessDecision} what to do and
 * carries it out, returning a {@link ProxyResponse} value.
 *
 * <ul>
 *   <li>One upstream fetch per key at a time ({@link FillRegistry}); every concurrent request for the
 *       key streams the same growing temp file.</li>
 *   <li>Fills run on their own virtual thread, detached from clients: a fill completes even if every
 *       client went away.</li>
 *   <li>Digests and the announced length are checked before publishing; a failed fill publishes
 *       nothing and every follower gets an aborted response.</li>
 *   <li>An upstream failure is never turned into a 404: 5xx and network errors become 502, timeouts
 *       504, both with {@code Retry-After}, or the stored copy ({@code STALE}) when there is one.</li>
 * </ul>
 *
 * <p>This class orchestrates; the parts it orchestrates live beside it: {@link FreshnessDecision} (pure:
 * what to do with a stored entry), {@link Filler} (one fill on its own thread, deciding with the pure
 * {@link UpstreamAnswer}), {@link Passthrough} (forwarded and bypassed requests), {@link StoredBlobs}
 * (how far a stored blob is trusted) and {@link EngineAnswers} (the engine's own errors, worded by the request's {@link ErrorStyle}).
 *
 * <p>{@link #serve} blocks (upstream headers, disk): call it on a virtual thread.
 */
public final class CacheEngine {
    private static final Logger LOG = LoggerFactory.getLogger(CacheEngine.class);

    private final String instance;
    private final BlobStore store;
    private final EntryIndex index;
    private final FillRegistry<FillOutcome> fills = new FillRegistry<>();
    private final NegativeCache negative;
    private final InstantSource clock;
    private final CacheEvents events;
    private final ExecutorService fillThreads;
    private final Filler filler;
    private final Passthrough passthrough;
    private final StoredBlobs blobs;

    /** An engine that stores every body (no quota, no free-space floor): tests and tools. */
    public CacheEngine(String instance, BlobStore store, EntryIndex index, UpstreamClient upstream, FillLimiter limiter,
            Duration negativeTtl, InstantSource clock, CacheEvents events, ExecutorService fillThreads) {
        this(instance, store, index, upstream, limiter, negativeTtl, clock, events, fillThreads,
                StorageSpace.unlimited(store, clock));
    }

    /** @param space whether a fill may store its body (the quota and the free-space floor) */
    public CacheEngine(String instance, BlobStore store, EntryIndex index, UpstreamClient upstream, FillLimiter limiter,
            Duration negativeTtl, InstantSource clock, CacheEvents events, ExecutorService fillThreads,
            StorageSpace space) {
        this.instance = instance;
        this.store = store;
        this.index = index;
        this.negative = new NegativeCache(negativeTtl, clock);
        index.onForgetMisses(negative::forgetMatching); // a purge forgets remembered 404s too
        this.clock = clock;
        this.events = events;
        this.fillThreads = fillThreads;
        this.filler = new Filler(instance, store, index, upstream, fills, limiter, negative, clock, events, space);
        this.passthrough = new Passthrough(instance, upstream, events);
        this.blobs = new StoredBlobs(instance, store, index, events);
    }

    /** Fills in flight (for metrics and tests). */
    public int fillsInFlight() {
        return fills.size();
    }

    /** Whether a fill of {@code key} is in flight (its body still arriving, or being made durable). */
    public boolean fillInFlight(String key) {
        return fills.get(key) != null;
    }

    public ProxyResponse serve(CacheRequest req) {
        return serve(req, Completion.FOLLOW);
    }

    /** What a caller of {@link #serve} needs of a body that is still arriving or cannot be stored. */
    private enum Completion {
        /**
         * A fill in flight is followed as it arrives; an unstorable body is passed through, unless only a check of
         * the whole stored file could verify it ({@link FileCheck}, and no digest to check as it streams): then it
         * is the stale copy or a 503.
         */
        FOLLOW,
        /** The body stored and complete ({@link #serveComplete}); an unstorable one is the stale copy or a 503. */
        COMPLETE,
        /**
         * As COMPLETE, but an unstorable body is passed through ({@link #serveCompleteOrPassed}), its file check
         * left to the caller.
         */
        COMPLETE_OR_PASSED
    }

    private ProxyResponse serve(CacheRequest req, Completion completion) {
        if (req.rule().policy() == CachePolicy.BYPASS) {
            return count(passthrough.bypass(req));
        }
        Optional<NegativeCache.Miss> miss = negative.find(req.key());
        if (miss.isPresent()) {
            return count(EngineAnswers.notFound(req.errors(), miss.get().status(), miss.get().body(), CacheStatus.HIT));
        }
        Instant now = clock.instant();
        Optional<CacheEntry> stored = index.get(req.key());
        if (stored.isPresent() && FreshnessDecision.isExpired(stored.get(), req.rule(), now)) {
            index.forget(req.key());
            stored = Optional.empty();
        }
        if (stored.isPresent() && StoredBlobs.needsVerification(req, stored.get())) {
            stored = blobs.verifyStored(req, stored.get());
        }
        Decision d = FreshnessDecision.decide(now, stored, req.rule(), fills.get(req.key()) != null);
        ProxyResponse r = switch (d) {
            case Decision.Bypass b -> passthrough.bypass(req);
            case Decision.Serve s -> serveStored(req, s.entry(), CacheStatus.HIT, completion);
            case Decision.ServeStale s -> serveStored(req, s.entry(), CacheStatus.STALE, completion);
            case Decision.Fetch f -> respond(req, fetch(req, null), null, completion);
            case Decision.Revalidate v -> respond(req, fetch(req, v.entry()), v.entry(), completion);
        };
        return count(r);
    }

    /**
     * The stored, unexpired blob of {@code key}, whatever its freshness, without asking the upstream:
     * for a mode that reads one entry to serve another (npm learns a tarball's digests from the stored
     * packument). A body a client has already been given counts as stored: a fill of the key that is
     * verified but still being made durable is waited for. Blocks on disk I/O.
     */
    public Optional<BlobFile> storedBlob(String key, Expiration expireAfter) {
        Fill<FillOutcome> inFlight = fills.get(key);
        if (inFlight != null && inFlight.isVerified()) {
            inFlight.settled().join();
        }
        Optional<CacheEntry> entry = index.get(key).filter(e -> !expireAfter.expired(e.validatedAt(), clock.instant()));
        entry.ifPresent(e -> index.used(e, clock.millis()));
        return entry.flatMap(blobs::intact);
    }

    /**
     * The content of {@link #storedBlob} to read once (the caller closes it); empty when there is none.
     * Blocks on disk I/O.
     */
    public Optional<InputStream> openStored(String key, Expiration expireAfter) throws IOException {
        Optional<BlobFile> blob = storedBlob(key, expireAfter);
        return blob.isEmpty() ? Optional.empty() : Optional.of(store.open(blob.get().digest()));
    }

    /**
     * Indexes {@code key} for a blob the shared store already holds (content-addressed protocols: an OCI
     * layer another repository or instance fetched), so that it is served without asking the upstream.
     * The blob is re-hashed first (a damaged one is quarantined and the key is fetched instead). Does
     * nothing when the key is indexed or the store lacks the blob. Blocks on disk I/O.
     *
     * @return whether the key now has an entry
     */
    public boolean adopt(String key, Digest sha256, Map<String, String> headers) throws IOException {
        return adopt(key, sha256, headers, true);
    }

    /** What {@link #checkStored} found. */
    public enum StoredCheck {
        /** The stored body is what was expected. */
        PASSED,
        /** It was not: the entry is gone (the blob stays for other keys; unreferenced, it is collected). */
        DROPPED,
        /** Nothing is stored under the key (evicted, never stored, or its fill still in flight: ask again later). */
        NOT_STORED
    }

    /**
     * Checks the body stored under {@code key} against digests and a file check learnt after it was stored (a
     * Linux repository's package fetched before the root's first generation listed it), as a request with those
     * digests would on its next read from disk ({@link StoredBlobs#verifyStored}), but at once, so that a copy
     * served from memory meanwhile is checked too; when it fails, the entry is dropped, to be fetched again and
     * verified. A check is not a use: the entry's last use is left as it was. Blocks on disk I/O.
     */
    public StoredCheck checkStored(String key, List<Digest> expected, FileCheck fileCheck) throws IOException {
        Optional<CacheEntry> entry = index.get(key);
        Optional<BlobFile> blob = entry.flatMap(blobs::intact);
        if (blob.isEmpty()) {
            return StoredCheck.NOT_STORED;
        }
        if (!expected.isEmpty() && blobs.verifyStored(key, expected, entry.get()).isEmpty()) {
            // a mismatch drops the entry; an unreadable blob is quarantined and its entry left to the next read
            return index.get(key).isEmpty() ? StoredCheck.DROPPED : StoredCheck.NOT_STORED;
        }
        Optional<String> refused = fileCheck.refuses(blob.get().path());
        if (refused.isEmpty()) {
            return StoredCheck.PASSED;
        }
        LOG.warn("[{}] dropping the stored {}: {}", instance, key, refused.get());
        events.verificationFailed(instance);
        index.remove(key);
        return StoredCheck.DROPPED;
    }

    /**
     * {@link #adopt} for a blob the caller wrote or verified itself moments ago (a metadata refresh
     * publishing the files it just fetched): not read again.
     */
    public boolean adoptJustVerified(String key, Digest sha256, Map<String, String> headers) throws IOException {
        return adopt(key, sha256, headers, false);
    }

    private boolean adopt(String key, Digest sha256, Map<String, String> headers, boolean rehash) throws IOException {
        if (index.get(key).isPresent()) {
            return true;
        }
        Optional<BlobFile> blob = store.find(sha256);
        if (blob.isEmpty()) {
            return false;
        }
        // A new key trusts the stored copy from now on: read it once to be sure it still is what its name says.
        if (rehash && !store.verify(sha256)) {
            blobs.damaged(sha256, "adopt");
            return false;
        }
        Instant now = clock.instant();
        index.put(new CacheEntry(key, blob.get().digest(), blob.get().size(), Map.copyOf(headers), now, now, true));
        return true;
    }

    /**
     * Like {@link #serve}, for a document the mode transforms before sending (npm packuments): a fill
     * is awaited instead of followed, so the answer is never {@link ProxyResponse.Filling}. A fill that
     * fails becomes the same 502 a follower would get. Blocks for the whole upstream transfer.
     */
    public ProxyResponse serveComplete(CacheRequest req) {
        return serveComplete(req, Completion.COMPLETE);
    }

    /**
     * {@link #serveComplete}, except that a document the storage cannot keep now (full, or larger than the
     * quota) comes back as the upstream's body passed through: a {@link ProxyResponse.Streamed} 200, verified
     * as it is read, kept nowhere, in place of a stale copy or a 503. For modes that can transform or read a
     * document as it streams (npm's packuments, cargo's index files): a full disk does not make them fail. The
     * request's {@link FileCheck}, if it has one, is the caller's to run on what it reads (nix's narinfos).
     */
    public ProxyResponse serveCompleteOrPassed(CacheRequest req) {
        return serveComplete(req, Completion.COMPLETE_OR_PASSED);
    }

    private ProxyResponse serveComplete(CacheRequest req, Completion completion) {
        ProxyResponse r = serve(req, completion);
        if (!(r instanceof ProxyResponse.Filling f)) {
            return r;
        }
        // settled, not merely complete: the entry is indexed only once the blob is durable
        String abortReason = f.fill().settled().join().orElse(null);
        // The entry this fill indexed, or one a later fill of the same key put there since: either way
        // the blob and the headers served belong together.
        Optional<CacheEntry> entry = abortReason == null ? index.get(req.key()) : Optional.empty();
        Optional<BlobFile> blob = entry.flatMap(blobs::intact);
        if (blob.isEmpty()) {
            return EngineAnswers.failure(req.errors(), instance, new FillOutcome.Failed(false, 0,
                    abortReason != null ? abortReason : "the fetched document of " + req.key() + " vanished"));
        }
        return new ProxyResponse.Stored(ResponseHeaders.replay(entry.get()), blob.get(), f.cache());
    }

    /**
     * Sends a request upstream as it is and streams the answer back, storing nothing (API calls a mode
     * forwards, such as npm's search and audit). Upstream failures become 502/504 as everywhere, worded
     * in {@code errors}.
     */
    public ProxyResponse forward(UpstreamRequest request, ErrorStyle errors) {
        return count(passthrough.forward(request, List.of(), errors));
    }

    /** {@link #forward(UpstreamRequest, ErrorStyle)} with plain-text errors. */
    public ProxyResponse forward(UpstreamRequest request) {
        return forward(request, ErrorStyle.PLAIN);
    }

    /**
     * The hit path without blocking (see {@code Route.hit}): a stored, unexpired entry
     * that needs no upstream request, found in the hot index. Empty whenever {@link #serve} must
     * decide (cold key, stale, expired, negative, bypass, a fill in flight).
     */
    public Optional<ProxyResponse> serveIfHot(CacheRequest req) {
        if (req.rule().policy() == CachePolicy.BYPASS || negative.find(req.key()).isPresent()) {
            return Optional.empty();
        }
        Optional<CacheEntry> hot = index.getIfHot(req.key());
        // decide() answers Fetch for an expired entry, so Serve means stored, unexpired and fresh
        if (hot.isEmpty() || StoredBlobs.needsVerification(req, hot.get())
                || !(FreshnessDecision.decide(clock.instant(), hot, req.rule(), fills.get(req.key()) != null)
                instanceof Decision.Serve serve)) {
            return Optional.empty();
        }
        // One stat(2), as nginx does before sendfile. A missing blob, or one whose size is not its entry's
        // (damaged on disk), is left to serve(), which quarantines and refetches it.
        Optional<ProxyResponse> hit = store.findNearby(serve.entry().blob())
                .filter(blob -> blob.size() == serve.entry().size())
                .map(blob -> count(new ProxyResponse.Stored(ResponseHeaders.replay(serve.entry()), blob, CacheStatus.HIT)));
        if (hit.isPresent()) {
            index.used(serve.entry(), clock.millis());
        }
        return hit;
    }

    /**
     * Expiry cleanup: removes the entries past their {@code expire_after}, asking {@code expiryOf} for
     * the expiry that applies to each key (so a rule's longer or shorter life is honoured, unlike the
     * Go project, which only applies the instance value here). Stops after {@code batchSize} removals;
     * a dry run only logs. The blobs go later, with blob GC. Blocks on disk I/O.
     *
     * @return how many entries were (or, in a dry run, would have been) removed
     */
    public int removeExpired(Function<String, Expiration> expiryOf, int batchSize, boolean dryRun) throws IOException {
        Instant now = clock.instant();
        return index.removeWhere(e -> expiryOf.apply(e.key()).expired(e.validatedAt(), now), batchSize, dryRun,
                "expiry cleanup");
    }

    /** Records the cache result: exactly once per request, at the exits of {@link #serve}. */
    private ProxyResponse count(ProxyResponse r) {
        if (r.cache() != null) {
            events.served(instance, r.cache());
        }
        return r;
    }

    private ProxyResponse serveStored(CacheRequest req, CacheEntry entry, CacheStatus status, Completion completion) {
        Optional<BlobFile> blob = blobs.intact(entry);
        if (blob.isEmpty()) {
            // The blob went away under the entry (manual deletion, GC race, quarantined): fetch again.
            LOG.warn("[{}] blob {} of {} is missing or damaged; fetching again", instance, entry.blob(), req.key());
            index.forget(req.key());
            return respond(req, fetch(req, null), null, completion);
        }
        index.used(entry, clock.millis());
        return new ProxyResponse.Stored(ResponseHeaders.replay(entry), blob.get(), status);
    }

    /** Joins the fill in flight for the key, or starts one; waits for the upstream's first answer. */
    private FillOutcome fetch(CacheRequest req, CacheEntry stale) {
        FillRegistry.Joined<FillOutcome> j = fills.joinOrStart(req.key(), fill -> {
            // serve() looked at the index before the single-flight table; a fill may have published
            // and left the table in between. Looking again now that we hold the key closes that gap
            // (the entry is indexed before a fill leaves the table), so it is never fetched twice.
            Optional<CacheEntry> landed = stale == null ? index.get(req.key()) : Optional.empty();
            if (landed.isPresent()) {
                filler.resolve(fill, new FillOutcome.AlreadyStored(landed.get()));
            } else {
                fillThreads.execute(() -> filler.lead(fill, req, stale));
            }
        });
        if (!j.leader()) {
            events.followerJoined(instance);
        }
        FillOutcome outcome;
        try {
            outcome = j.fill().outcome().join();
        } catch (CompletionException e) {
            return new FillOutcome.Failed(false, 0, "internal error: " + e.getCause());
        }
        if (!j.leader() && outcome instanceof FillOutcome.Streaming && j.fill().isVerified()) {
            // The body is all here and verified, only being made durable: wait the few milliseconds for
            // its entry and serve that, a hit like any request after it.
            Optional<CacheEntry> landed = j.fill().settled().join().isEmpty() ? index.get(req.key()) : Optional.empty();
            if (landed.isPresent()) {
                return new FillOutcome.AlreadyStored(landed.get());
            }
        }
        return outcome;
    }

    private ProxyResponse respond(CacheRequest req, FillOutcome outcome, CacheEntry stale, Completion completion) {
        return switch (outcome) {
            case FillOutcome.Streaming s -> following(req, s);
            case FillOutcome.AlreadyStored a -> serveStored(req, a.entry(), CacheStatus.HIT, completion);
            case FillOutcome.Unchanged u -> serveStored(req, u.renewed(), CacheStatus.REVALIDATED, completion);
            case FillOutcome.Unstored u -> unstored(req, u, stale, completion);
            case FillOutcome.Missing m ->
                    EngineAnswers.notFound(req.errors(), m.status(), m.body(), stale != null ? CacheStatus.REFRESH : CacheStatus.MISS);
            case FillOutcome.Passthrough p -> new ProxyResponse.Document(p.status(),
                    p.headers(), p.body(), CacheStatus.BYPASS);
            case FillOutcome.Failed f -> {
                Optional<BlobFile> kept = stale == null ? Optional.empty() : blobs.intact(stale);
                if (kept.isPresent()) {
                    LOG.info("[{}] serving stale {}: {}", instance, stale.key(), f.detail());
                    yield new ProxyResponse.Stored(ResponseHeaders.replay(stale), kept.get(), CacheStatus.STALE);
                }
                yield EngineAnswers.failure(req.errors(), instance, f);
            }
        };
    }

    /**
     * A body the storage could not take: the first request streams the fill's upstream body, any other
     * asks the upstream itself. A caller that must transform a stored document gets the copy it had
     * (stale), or a 503 when it had none; one that can take the document as it streams
     * ({@link #serveCompleteOrPassed}) gets it passed through like any other caller. A body whose only
     * verification is a check of the whole file ({@link FileCheck} without a digest: a Go module zip, an apk) is
     * not passed on either: it would reach the client unverified. One with a digest too (a Nix NAR's FileHash)
     * passes, checked against it as it streams; its client checks the rest (Nix the NAR's hash).
     */
    private ProxyResponse unstored(CacheRequest req, FillOutcome.Unstored u, CacheEntry stale, Completion completion) {
        Optional<InputStream> body = u.take();
        // a body only a whole-file check verifies (a Go module zip, an apk) is never passed on unchecked
        boolean uncheckable = completion == Completion.FOLLOW && req.verification().fileCheck() != FileCheck.NONE
                && u.expected().isEmpty();
        if (completion == Completion.COMPLETE || uncheckable) {
            body.ifPresent(Passthrough::closeQuietly);
            Optional<BlobFile> kept = stale == null ? Optional.empty() : blobs.intact(stale);
            return kept.<ProxyResponse>map(b -> new ProxyResponse.Stored(ResponseHeaders.replay(stale), b, CacheStatus.STALE))
                    .orElseGet(() -> EngineAnswers.storageFull(req.errors(), instance, req.key()));
        }
        return body.<ProxyResponse>map(b -> new ProxyResponse.Streamed(200, u.headers(), u.contentLength(),
                passthrough.counted(new VerifyingStream(b, u.expected())), CacheStatus.BYPASS))
                .orElseGet(() -> passthrough.unstored(req, u.expected()));
    }

    /** A fill that already failed gets a clean 502; one still running (or done) is followed by the writer. */
    private ProxyResponse following(CacheRequest req, FillOutcome.Streaming s) {
        if (s.fill().aborted()) {
            return EngineAnswers.failure(req.errors(), instance,
                    new FillOutcome.Failed(false, 0, "the upstream body failed before it could be served"));
        }
        return new ProxyResponse.Filling(s.headers(), s.fill(),
                s.rescued() ? CacheStatus.RESCUE : s.refresh() ? CacheStatus.REFRESH : CacheStatus.MISS);
    }
}
