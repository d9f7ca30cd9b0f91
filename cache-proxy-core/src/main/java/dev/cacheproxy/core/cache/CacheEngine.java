package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.cache.FreshnessDecision.Decision;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestMismatchException;
import dev.cacheproxy.core.digest.MultiDigester;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.fetch.Fill;
import dev.cacheproxy.core.fetch.FillLimiter;
import dev.cacheproxy.core.fetch.FillListener;
import dev.cacheproxy.core.fetch.FillRegistry;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.upstream.UpstreamClient;
import dev.cacheproxy.core.upstream.UpstreamRequest;
import dev.cacheproxy.core.upstream.UpstreamResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;
import java.util.stream.Stream;
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
 * <p>{@link #serve} blocks (upstream headers, disk): call it on a virtual thread.
 */
public final class CacheEngine {
    private static final Logger LOG = LoggerFactory.getLogger(CacheEngine.class);
    private static final int CHUNK = 64 * 1024;
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final String RETRY_AFTER_SECONDS = "5";

    private final String instance;
    private final BlobStore store;
    private final EntryIndex index;
    private final UpstreamClient upstream;
    private final FillRegistry<FillOutcome> fills = new FillRegistry<>();
    private final FillLimiter limiter;
    private final NegativeCache negative;
    private final InstantSource clock;
    private final CacheEvents events;
    private final ExecutorService fillThreads;

    public CacheEngine(String instance, BlobStore store, EntryIndex index, UpstreamClient upstream, FillLimiter limiter,
            Duration negativeTtl, InstantSource clock, CacheEvents events, ExecutorService fillThreads) {
        this.instance = instance;
        this.store = store;
        this.index = index;
        this.upstream = upstream;
        this.limiter = limiter;
        this.negative = new NegativeCache(negativeTtl, clock);
        this.clock = clock;
        this.events = events;
        this.fillThreads = fillThreads;
    }

    /** Fills in flight (for metrics and tests). */
    public int fillsInFlight() {
        return fills.size();
    }

    public ProxyResponse serve(CacheRequest req) {
        if (req.rule().policy() == CachePolicy.BYPASS) {
            return count(bypass(req));
        }
        Optional<NegativeCache.Miss> miss = negative.find(req.key());
        if (miss.isPresent()) {
            return count(notFound(miss.get().status(), miss.get().body(), CacheStatus.HIT));
        }
        Instant now = clock.instant();
        Optional<CacheEntry> stored = index.get(req.key());
        if (stored.isPresent() && FreshnessDecision.isExpired(stored.get(), req.rule(), now)) {
            forget(req.key());
            stored = Optional.empty();
        }
        if (stored.isPresent() && needsVerification(req, stored.get())) {
            stored = verifyStored(req, stored.get());
        }
        Decision d = FreshnessDecision.decide(now, stored, req.rule(), fills.get(req.key()) != null);
        ProxyResponse r = switch (d) {
            case Decision.Bypass b -> bypass(req);
            case Decision.Serve s -> serveStored(req, s.entry(), CacheStatus.HIT);
            case Decision.ServeStale s -> serveStored(req, s.entry(), CacheStatus.STALE);
            case Decision.Fetch f -> respond(req, fetch(req, null), null);
            case Decision.Revalidate v -> respond(req, fetch(req, v.entry()), v.entry());
        };
        return count(r);
    }

    /**
     * The stored, unexpired blob of {@code key}, whatever its freshness, without asking the upstream:
     * for a mode that reads one entry to serve another (npm learns a tarball's digests from the stored
     * packument). Blocks on disk I/O.
     */
    public Optional<BlobFile> storedBlob(String key, Expiration expireAfter) {
        return index.get(key)
                .filter(e -> !expireAfter.expired(e.validatedAt(), clock.instant()))
                .flatMap(this::intact);
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
        if (index.get(key).isPresent()) {
            return true;
        }
        Optional<BlobFile> blob = store.find(sha256);
        if (blob.isEmpty()) {
            return false;
        }
        // A new key trusts the stored copy from now on: read it once to be sure it still is what its name says.
        if (!store.verify(sha256)) {
            damaged(sha256, "adopt");
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
        ProxyResponse r = serve(req);
        if (!(r instanceof ProxyResponse.Filling f)) {
            return r;
        }
        CompletableFuture<String> done = new CompletableFuture<>();
        FillListener waiter = new FillListener() {
            @Override
            public void onProgress(long available) {}

            @Override
            public void onComplete(long total) {
                done.complete(null);
            }

            @Override
            public void onAbort(String reason) {
                done.complete(reason);
            }
        };
        f.fill().subscribe(waiter);
        String abortReason;
        try {
            abortReason = done.join();
        } finally {
            f.fill().unsubscribe(waiter);
        }
        // The entry this fill indexed, or one a later fill of the same key put there since: either way
        // the blob and the headers served belong together.
        Optional<CacheEntry> entry = abortReason == null ? index.get(req.key()) : Optional.empty();
        Optional<BlobFile> blob = entry.flatMap(this::intact);
        if (blob.isEmpty()) {
            return failure(new FillOutcome.Failed(false, 0,
                    abortReason != null ? abortReason : "the fetched document of " + req.key() + " vanished"));
        }
        return new ProxyResponse.Stored(ResponseHeaders.replay(entry.get()), blob.get(), f.cache());
    }

    /**
     * Sends a request upstream as it is and streams the answer back, storing nothing (API calls a mode
     * forwards, such as npm's search and audit). Upstream failures become 502/504 as everywhere.
     */
    public ProxyResponse forward(UpstreamRequest request) {
        return count(forwardUncounted(request));
    }

    private ProxyResponse forwardUncounted(UpstreamRequest request) {
        UpstreamResult r = upstream.send(request);
        return switch (r) {
            case UpstreamResult.Failed f -> failure(new FillOutcome.Failed(f.timeout(), 0, f.detail()));
            case UpstreamResult.Answered a -> {
                Headers headers = ResponseHeaders.passed(a.headers());
                boolean noBody = request.method().equals("HEAD") || a.status() == 304 || a.status() == 204;
                if (noBody) {
                    a.close();
                }
                yield new ProxyResponse.Streamed(a.status(), headers, a.contentLength(),
                        noBody ? InputStream.nullInputStream() : new CountingStream(a.body()), CacheStatus.BYPASS);
            }
        };
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
        if (hot.isEmpty() || needsVerification(req, hot.get())
                || !(FreshnessDecision.decide(clock.instant(), hot, req.rule(), fills.get(req.key()) != null)
                instanceof Decision.Serve serve)) {
            return Optional.empty();
        }
        // One stat(2), as nginx does before sendfile. A missing blob, or one whose size is not its entry's
        // (damaged on disk), is left to serve(), which quarantines and refetches it.
        return store.find(serve.entry().blob())
                .filter(blob -> blob.size() == serve.entry().size())
                .map(blob -> count(new ProxyResponse.Stored(ResponseHeaders.replay(serve.entry()), blob, CacheStatus.HIT)));
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
        int removed = 0;
        try (Stream<CacheEntry> entries = index.entriesOnDisk()) {
            for (Iterator<CacheEntry> it = entries.iterator(); it.hasNext() && removed < batchSize; ) {
                CacheEntry e = it.next();
                if (!expiryOf.apply(e.key()).expired(e.validatedAt(), now)) {
                    continue;
                }
                if (dryRun) {
                    LOG.info("[{}] expiry cleanup (dry run) would remove {}", instance, e.key());
                } else {
                    index.remove(e.key());
                }
                removed++;
            }
        }
        return removed;
    }

    /** Records the cache result: exactly once per request, at the exits of {@link #serve}. */
    private ProxyResponse count(ProxyResponse r) {
        if (r.cache() != null) {
            events.served(instance, r.cache());
        }
        return r;
    }

    private ProxyResponse serveStored(CacheRequest req, CacheEntry entry, CacheStatus status) {
        Optional<BlobFile> blob = intact(entry);
        if (blob.isEmpty()) {
            // The blob went away under the entry (manual deletion, GC race, quarantined): fetch again.
            LOG.warn("[{}] blob {} of {} is missing or damaged; fetching again", instance, entry.blob(), req.key());
            forget(req.key());
            return respond(req, fetch(req, null), null);
        }
        return new ProxyResponse.Stored(ResponseHeaders.replay(entry), blob.get(), status);
    }

    private void forget(String key) {
        try {
            index.remove(key);
        } catch (IOException e) {
            LOG.warn("[{}] could not remove index entry for {}: {}", instance, key, e.toString());
        }
    }

    /** Joins the fill in flight for the key, or starts one; waits for the upstream's first answer. */
    private FillOutcome fetch(CacheRequest req, CacheEntry stale) {
        FillRegistry.Joined<FillOutcome> j = fills.joinOrStart(req.key(), fill -> {
            // serve() looked at the index before the single-flight table; a fill may have published
            // and left the table in between. Looking again now that we hold the key closes that gap
            // (the entry is indexed before a fill leaves the table), so it is never fetched twice.
            Optional<CacheEntry> landed = stale == null ? index.get(req.key()) : Optional.empty();
            if (landed.isPresent()) {
                resolve(fill, new FillOutcome.AlreadyStored(landed.get()));
            } else {
                fillThreads.execute(() -> lead(fill, req, stale));
            }
        });
        if (!j.leader()) {
            events.followerJoined(instance);
        }
        try {
            return j.fill().outcome().join();
        } catch (CompletionException e) {
            return new FillOutcome.Failed(false, 0, "internal error: " + e.getCause());
        }
    }

    private ProxyResponse respond(CacheRequest req, FillOutcome outcome, CacheEntry stale) {
        return switch (outcome) {
            case FillOutcome.Streaming s -> following(s);
            case FillOutcome.AlreadyStored a -> serveStored(req, a.entry(), CacheStatus.HIT);
            case FillOutcome.Unchanged u -> serveStored(req, u.renewed(), CacheStatus.REVALIDATED);
            case FillOutcome.Missing m -> notFound(m.status(), m.body(), stale != null ? CacheStatus.REFRESH : CacheStatus.MISS);
            case FillOutcome.Passthrough p -> new ProxyResponse.Document(p.status(),
                    p.headers(), p.body(), CacheStatus.BYPASS);
            case FillOutcome.Failed f -> {
                Optional<BlobFile> kept = stale == null ? Optional.empty() : intact(stale);
                if (kept.isPresent()) {
                    LOG.info("[{}] serving stale {}: {}", instance, stale.key(), f.detail());
                    yield new ProxyResponse.Stored(ResponseHeaders.replay(stale), kept.get(), CacheStatus.STALE);
                }
                yield failure(f);
            }
        };
    }

    /**
     * The entry's blob when it is there and still has the entry's size (one stat); a blob of another
     * size was damaged on disk (truncated, appended to) and is quarantined, so it is never served as
     * complete. Blocks on disk I/O.
     */
    private Optional<BlobFile> intact(CacheEntry entry) {
        Optional<BlobFile> blob = store.find(entry.blob());
        if (blob.isPresent() && blob.get().size() != entry.size()) {
            LOG.warn("[{}] blob {} of {} has {} bytes, its entry says {}", instance, entry.blob(), entry.key(),
                    blob.get().size(), entry.size());
            damaged(entry.blob(), "hit");
            return Optional.empty();
        }
        return blob;
    }

    private void damaged(Digest blob, String foundBy) {
        try {
            store.quarantine(blob);
        } catch (IOException e) {
            LOG.error("[{}] could not quarantine damaged blob {}", instance, blob, e);
        }
        events.blobDamaged(foundBy);
    }

    /** A stored entry that no digest has vouched for yet, requested now that the mode knows one. */
    private static boolean needsVerification(CacheRequest req, CacheEntry entry) {
        return !entry.verified() && !req.expected().isEmpty();
    }

    /**
     * Checks a stored body against the digests that became known after it was stored (npm learns a
     * tarball's integrity from its packument): kept and marked verified when it matches, forgotten (and
     * fetched again) when not. A SHA-256 is compared with the blob's name; other algorithms read it once.
     */
    private Optional<CacheEntry> verifyStored(CacheRequest req, CacheEntry entry) {
        boolean matches;
        Optional<Digest> sha256 = req.expected().stream().filter(d -> d.algorithm().equals("sha256")).findFirst();
        if (sha256.isPresent()) {
            matches = req.expected().stream().filter(d -> d.algorithm().equals("sha256"))
                    .allMatch(d -> d.equals(entry.blob()));
        } else {
            Optional<BlobFile> blob = intact(entry);
            if (blob.isEmpty()) {
                return Optional.empty();
            }
            matches = digestsMatch(blob.get(), req.expected());
        }
        try {
            if (!matches && !store.verify(entry.blob())) {
                damaged(entry.blob(), "verify"); // the copy itself is damaged, not merely another body
            }
            if (matches) {
                CacheEntry verified = entry.asVerified();
                index.put(verified);
                return Optional.of(verified);
            }
            LOG.warn("[{}] stored {} does not match the digest its metadata now states; fetching again",
                    instance, req.key());
            events.verificationFailed(instance);
            index.remove(req.key());
        } catch (IOException e) {
            LOG.warn("[{}] could not update the entry of {}: {}", instance, req.key(), e.toString());
        }
        return Optional.empty();
    }

    private boolean digestsMatch(BlobFile blob, List<Digest> expected) {
        MultiDigester digester = new MultiDigester(expected);
        try (FileChannel ch = FileChannel.open(blob.path(), StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(CHUNK);
            while (ch.read(buf.clear()) >= 0) {
                digester.update(buf.flip());
            }
            digester.finishAndVerify();
            return true;
        } catch (DigestMismatchException e) {
            return false;
        } catch (IOException e) {
            LOG.warn("[{}] could not read blob {}: {}", instance, blob.digest(), e.toString());
            return false;
        }
    }

    /** A fill that already failed gets a clean 502; one still running (or done) is followed by the writer. */
    private ProxyResponse following(FillOutcome.Streaming s) {
        if (s.fill().aborted()) {
            return failure(new FillOutcome.Failed(false, 0, "the upstream body failed before it could be served"));
        }
        return new ProxyResponse.Filling(s.headers(), s.fill(), s.refresh() ? CacheStatus.REFRESH : CacheStatus.MISS);
    }

    private static ProxyResponse notFound(int status, byte[] body, CacheStatus cs) {
        return new ProxyResponse.Document(status, Headers.of("Content-Type", "text/plain; charset=utf-8"), body, cs);
    }

    private ProxyResponse failure(FillOutcome.Failed f) {
        LOG.warn("[{}] upstream failure: {}", instance, f.detail());
        int status = f.timeout() ? 504 : 502;
        String text = (f.timeout() ? "upstream timed out" : "upstream unavailable")
                + (f.upstreamStatus() > 0 ? " (upstream answered " + f.upstreamStatus() + ")" : "") + "\n";
        return new ProxyResponse.Document(status, Headers.of("Content-Type", "text/plain; charset=utf-8",
                "Retry-After", RETRY_AFTER_SECONDS), text.getBytes(StandardCharsets.UTF_8), CacheStatus.ERROR);
    }

    // ---- the fill itself, on its own virtual thread -------------------------------------------------

    private void lead(Fill<FillOutcome> fill, CacheRequest req, CacheEntry stale) {
        events.fillStarted(instance);
        boolean acquired = false;
        try {
            limiter.acquire(instance);
            acquired = true;
            if (stale != null && req.revalidationHeader() != null && unchangedByHead(fill, req, stale)) {
                return;
            }
            Headers headers = req.revalidationHeader() != null ? req.upstreamHeaders()
                    : conditional(req.upstreamHeaders(), stale);
            UpstreamResult result = upstream.send(new UpstreamRequest("GET", req.encodedPath(), req.rawQuery(), headers));
            switch (result) {
                case UpstreamResult.Failed f -> resolve(fill, new FillOutcome.Failed(f.timeout(), 0, f.detail()));
                case UpstreamResult.Answered a -> answered(fill, req, stale, a);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            resolve(fill, new FillOutcome.Failed(false, 0, "interrupted"));
        } catch (RuntimeException | Error e) {
            LOG.error("[{}] fill of {} failed unexpectedly", instance, req.key(), e);
            resolve(fill, new FillOutcome.Failed(false, 0, "internal error"));
            if (!fill.isFinished()) {
                fill.aborted("internal error");
            }
        } finally {
            if (acquired) {
                limiter.release(instance);
            }
            fills.finished(fill);
        }
    }

    private void resolve(Fill<FillOutcome> fill, FillOutcome outcome) {
        if (!(outcome instanceof FillOutcome.Streaming)) {
            fills.finished(fill); // an answer without a body is over as soon as it is known
        }
        fill.outcome().complete(outcome);
    }

    /**
     * Revalidation by HEAD (see {@link CacheRequest#revalidationHeader}): resolves the fill and returns
     * true when the answer settles it (unchanged, or the upstream unreachable or rate-limiting, so the
     * stored copy is served); false when a GET must follow (the content changed, or the HEAD said
     * something else, which the GET then answers with the body).
     */
    private boolean unchangedByHead(Fill<FillOutcome> fill, CacheRequest req, CacheEntry stale) {
        UpstreamResult result = upstream.send(new UpstreamRequest("HEAD", req.encodedPath(), req.rawQuery(),
                req.upstreamHeaders()));
        switch (result) {
            case UpstreamResult.Failed f -> {
                resolve(fill, new FillOutcome.Failed(f.timeout(), 0, f.detail()));
                return true;
            }
            case UpstreamResult.Answered a -> {
                a.close();
                String stored = stale.header(req.revalidationHeader().toLowerCase(Locale.ROOT));
                if (a.status() == 200 && stored != null && stored.equals(a.headers().get(req.revalidationHeader()))) {
                    CacheEntry renewed = stale.revalidatedAt(clock.instant());
                    index.touchValidated(renewed);
                    resolve(fill, new FillOutcome.Unchanged(renewed));
                    return true;
                }
                if (a.status() >= 500 || a.status() == 429) {
                    resolve(fill, new FillOutcome.Failed(false, a.status(), "upstream answered " + a.status()));
                    return true;
                }
                return false;
            }
        }
    }

    private static Headers conditional(Headers base, CacheEntry stale) {
        if (stale == null) {
            return base;
        }
        Headers.Builder b = base.toBuilder();
        if (stale.header("etag") != null) {
            b.set("If-None-Match", stale.header("etag"));
        }
        if (stale.header("last-modified") != null) {
            b.set("If-Modified-Since", stale.header("last-modified"));
        }
        return b.build();
    }

    private void answered(Fill<FillOutcome> fill, CacheRequest req, CacheEntry stale, UpstreamResult.Answered a) {
        try (a) {
            int status = a.status();
            if (stale != null && (status == 304 || (status == 200 && unchanged(stale, a)))) {
                CacheEntry renewed = stale.revalidatedAt(clock.instant());
                index.touchValidated(renewed);
                resolve(fill, new FillOutcome.Unchanged(renewed));
            } else if (status == 200) {
                negative.forget(req.key());
                store(fill, req, stale != null, a);
            } else if (status == 404 || status == 410) {
                byte[] body = readSmall(a.body());
                if (stale != null) {
                    forget(req.key());
                }
                negative.remember(req.key(), status, body);
                resolve(fill, new FillOutcome.Missing(status, ResponseHeaders.passed(a.headers()), body));
            } else if (status >= 500 || (status == 429 && stale != null)) {
                // a rate limit never hides a stored copy; without one the 429 and its Retry-After pass
                resolve(fill, new FillOutcome.Failed(false, status, "upstream answered " + status));
            } else {
                byte[] body = readSmall(a.body());
                resolve(fill, new FillOutcome.Passthrough(status, ResponseHeaders.passed(a.headers()), body));
            }
        }
    }

    /** A 200 to a conditional request whose validators match what we hold: nothing changed. */
    private static boolean unchanged(CacheEntry stale, UpstreamResult.Answered a) {
        String etag = stale.header("etag");
        if (etag != null) {
            return etag.equals(a.headers().get("ETag"));
        }
        String lm = stale.header("last-modified");
        return lm != null && lm.equals(a.headers().get("Last-Modified")) && a.contentLength() == stale.size();
    }

    private void store(Fill<FillOutcome> fill, CacheRequest req, boolean refresh, UpstreamResult.Answered a) {
        long expected = a.contentLength();
        List<Digest> digests = req.expectedWith(a.headers());
        // Only a body no digest vouches for is judged by its looks; a digest says more than any sniffing.
        ContentCheck check = digests.isEmpty() ? req.contentCheck() : ContentCheck.NONE;
        Optional<String> refused = check.refusesHeaders(a.headers());
        byte[] start = new byte[check.sniffLength()];
        int startLength = 0;
        try {
            if (refused.isEmpty() && start.length > 0) {
                startLength = a.body().readNBytes(start, 0, start.length);
                refused = check.refusesStart(start, startLength, startLength < start.length);
            }
        } catch (IOException e) {
            resolve(fill, new FillOutcome.Failed(false, 0, "upstream body failed: " + e.getMessage()));
            return;
        }
        if (refused.isPresent()) {
            LOG.warn("[{}] refusing {}: {}", instance, req.key(), refused.get());
            events.verificationFailed(instance);
            resolve(fill, new FillOutcome.Failed(false, 0, "refused: " + refused.get()));
            return;
        }
        BlobWriter writer;
        try {
            writer = store.newWriter(digests);
        } catch (IOException e) {
            LOG.error("[{}] cannot create a temp file for {}", instance, req.key(), e);
            resolve(fill, new FillOutcome.Failed(false, 0, "storage error"));
            return;
        }
        Map<String, String> kept = ResponseHeaders.toStore(a.headers(), req.key());
        Headers.Builder hb = Headers.builder();
        kept.forEach(hb::add);
        Headers headers = hb.build();
        fill.begin(writer.tempFile(), expected);
        resolve(fill, new FillOutcome.Streaming(fill, headers, refresh));
        long copied = 0;
        try {
            if (startLength > 0) {
                writer.write(ByteBuffer.wrap(start, 0, startLength));
                copied = startLength;
                fill.progress(writer.written());
            }
            InputStream in = a.body();
            byte[] buf = new byte[CHUNK];
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n == 0) {
                    continue;
                }
                writer.write(ByteBuffer.wrap(buf, 0, n));
                copied += n;
                fill.progress(writer.written());
            }
            events.upstreamBytes(instance, copied);
            if (expected >= 0 && copied != expected) {
                throw new IOException("upstream body ended after " + copied + " of " + expected + " bytes");
            }
            BlobFile blob = writer.commit();
            Instant now = clock.instant();
            index.put(new CacheEntry(req.key(), blob.digest(), blob.size(), kept, now, now, !digests.isEmpty()));
            // Unregister before announcing completion: whoever comes next must find the entry, not
            // join a fill that is already over.
            fills.finished(fill);
            fill.published(blob.path(), blob.size());
            events.fillFinished(instance, true, blob.size());
        } catch (DigestMismatchException e) {
            LOG.warn("[{}] refusing {}: {}", instance, req.key(), e.getMessage());
            events.verificationFailed(instance);
            abort(fill, writer, e.getMessage(), copied);
        } catch (IOException e) {
            LOG.warn("[{}] fill of {} aborted: {}", instance, req.key(), e.toString());
            abort(fill, writer, Objects.toString(e.getMessage(), e.toString()), copied);
        }
    }

    private void abort(Fill<FillOutcome> fill, BlobWriter writer, String reason, long copied) {
        writer.abort();
        fills.finished(fill);
        fill.aborted(reason);
        events.fillFinished(instance, false, copied);
    }

    private static byte[] readSmall(InputStream in) {
        try {
            return in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    // ---- bypass -----------------------------------------------------------------------------------

    private ProxyResponse bypass(CacheRequest req) {
        Headers.Builder h = req.upstreamHeaders().toBuilder();
        for (String name : new String[] {"Range", "If-Range", "If-None-Match", "If-Modified-Since"}) {
            req.clientHeaders().first(name).ifPresent(v -> h.set(name, v));
        }
        return forwardUncounted(new UpstreamRequest(req.method(), req.encodedPath(), req.rawQuery(), h.build()));
    }

    /** Reports bypassed bytes as upstream bytes when the writer closes the stream. */
    private final class CountingStream extends java.io.FilterInputStream {
        private long n;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) n++;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int r = super.read(b, off, len);
            if (r > 0) n += r;
            return r;
        }

        @Override
        public void close() throws IOException {
            events.upstreamBytes(instance, n);
            super.close();
        }
    }
}
