package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestMismatchException;
import dev.cacheproxy.core.digest.MultiDigester;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.fetch.Fill;
import dev.cacheproxy.core.fetch.FillLimiter;
import dev.cacheproxy.core.fetch.FillRegistry;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.quota.StorageSpace;
import dev.cacheproxy.core.upstream.UpstreamClient;
import dev.cacheproxy.core.upstream.UpstreamResult;
import dev.cacheproxy.core.upstream.UpstreamUrls;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fill, on its own virtual thread, detached from the clients that wait for it: takes a slot of the
 * {@link FillLimiter}, asks the upstream (a conditional GET, or a HEAD first where the mode revalidates
 * by a content header), decides with {@link UpstreamAnswer} and carries it out: renew, store (stream
 * into a verified blob that followers read as it grows, then index it), remember a 404, or resolve the
 * fill as a failure or a pass-through. Its outcome completes the fill's future exactly once.
 */
final class Filler {
    private static final Logger LOG = LoggerFactory.getLogger(CacheEngine.class);
    /** As large as the upstream client's read buffers: one write and one progress report per buffer. */
    private static final int CHUNK = 256 * 1024;
    private static final int MAX_ERROR_BODY = 64 * 1024;
    /** How much of a body past a full disk is kept in memory for its slowest reader. */
    private static final long RELAY_WINDOW = 1024 * 1024;

    private final String instance;
    private final BlobStore store;
    private final EntryIndex index;
    private final UpstreamClient upstream;
    private final FillRegistry<FillOutcome> fills;
    private final FillLimiter limiter;
    private final NegativeCache negative;
    private final InstantSource clock;
    private final CacheEvents events;
    private final StorageSpace space;

    Filler(String instance, BlobStore store, EntryIndex index, UpstreamClient upstream, FillRegistry<FillOutcome> fills,
            FillLimiter limiter, NegativeCache negative, InstantSource clock, CacheEvents events, StorageSpace space) {
        this.space = space;
        this.instance = instance;
        this.store = store;
        this.index = index;
        this.upstream = upstream;
        this.fills = fills;
        this.limiter = limiter;
        this.negative = negative;
        this.clock = clock;
        this.events = events;
    }

    void lead(Fill<FillOutcome> fill, CacheRequest req, CacheEntry stale) {
        events.fillStarted(instance);
        boolean acquired = false;
        try {
            limiter.acquire(instance);
            acquired = true;
            if (stale != null && req.fetch().revalidationHeader() != null && unchangedByHead(fill, req, stale)) {
                return;
            }
            Headers headers = req.fetch().revalidationHeader() != null ? req.fetch().headers()
                    : conditional(req.fetch().headers(), stale);
            UpstreamResult result = upstream.send(req.fetch().as("GET", headers));
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
            events.fillEnded(instance);
        }
    }

    void resolve(Fill<FillOutcome> fill, FillOutcome outcome) {
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
        UpstreamResult result = upstream.send(req.fetch().as("HEAD", req.fetch().headers()));
        switch (result) {
            case UpstreamResult.Failed f -> {
                resolve(fill, new FillOutcome.Failed(f.timeout(), 0, f.detail()));
                return true;
            }
            case UpstreamResult.Answered a -> {
                a.close();
                String stored = stale.header(req.fetch().revalidationHeader().toLowerCase(Locale.ROOT));
                if (a.status() == 200 && stored != null && stored.equals(a.headers().get(req.fetch().revalidationHeader()))) {
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
        boolean handedOver = false;
        try {
            int status = a.status();
            boolean same = stale != null && status == 200 && unchanged(stale, a);
            switch (UpstreamAnswer.classify(status, stale != null, same)) {
                case UNCHANGED -> {
                    CacheEntry renewed = stale.revalidatedAt(clock.instant());
                    index.touchValidated(renewed);
                    resolve(fill, new FillOutcome.Unchanged(renewed));
                }
                case STORE -> {
                    negative.forget(req.key());
                    Optional<StorageSpace.Refusal> refusal = space.refusal(a.contentLength());
                    if (refusal.isPresent()) {
                        handedOver = true;
                        passOn(fill, req, a, refusal.get());
                    } else {
                        store(fill, req, stale != null, a);
                    }
                }
                case MISSING -> {
                    byte[] body = readSmall(a.body());
                    if (stale != null) {
                        index.forget(req.key());
                    }
                    negative.remember(req.key(), status, body);
                    resolve(fill, new FillOutcome.Missing(status, ResponseHeaders.passed(a.headers(),
                            req.declaredHeaders()), body));
                }
                case FAILED -> resolve(fill, new FillOutcome.Failed(false, status, "upstream answered " + status));
                case PASS_THROUGH -> resolve(fill, new FillOutcome.Passthrough(status,
                        ResponseHeaders.passed(a.headers(), req.declaredHeaders()), readSmall(a.body())));
            }
        } finally {
            if (!handedOver) {
                a.close();
            }
        }
    }

    /**
     * A body that may not be stored now (larger than the quota, or no room on the disk) goes to the
     * client as it comes, stored nowhere: whole and correct, only not kept. The stored copy of a
     * revalidated entry is left as it was (it is still what the client would have been served).
     */
    private void passOn(Fill<FillOutcome> fill, CacheRequest req, UpstreamResult.Answered a, StorageSpace.Refusal why) {
        LOG.info("[{}] passing {} through without storing it: {}", instance, req.key(),
                why.reason());
        events.fillUnstored(instance, why.label());
        resolve(fill, new FillOutcome.Unstored(ResponseHeaders.passed(a.headers(), req.declaredHeaders()),
                a.contentLength(), a.body(), req.verification().expectedWith(a.headers()), why));
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
        List<Digest> digests = req.verification().expectedWith(a.headers());
        // Only a body no digest vouches for is judged by its looks; a digest says more than any sniffing.
        ContentCheck check = digests.isEmpty() ? req.verification().contentCheck() : ContentCheck.NONE;
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
            space.writeFailed(e);
            LOG.error("[{}] cannot create a temp file for {}", instance, req.key(), e);
            resolve(fill, new FillOutcome.Failed(false, 0, "storage error"));
            return;
        }
        Map<String, String> kept = ResponseHeaders.toStore(a.headers(), req.key(), req.declaredHeaders());
        Headers.Builder hb = Headers.builder();
        kept.forEach(hb::add);
        Headers headers = hb.build();
        fill.begin(writer.tempFile(), expected);
        URI preferred = req.fetch().preferred();
        boolean rescued = preferred != null && !UpstreamUrls.display(preferred).equals(UpstreamUrls.display(a.base()));
        resolve(fill, new FillOutcome.Streaming(fill, headers, refresh, rescued));
        long copied = 0;
        try {
            if (startLength > 0) {
                writer.write(ByteBuffer.wrap(start, 0, startLength));
                copied = startLength;
                fill.progress(writer.written());
            }
            InputStream in = a.body();
            byte[] buf = new byte[CHUNK];
            MultiDigester spill = null;
            StorageSpace.Refusal spilledBecause = null;
            long quota = space.largestStorable();
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (n == 0) {
                    continue;
                }
                if (spill == null && writer.written() + n > quota) {
                    // a body that did not say its length grew past the whole quota: kept, it would evict
                    // everything and still not fit; its clients get the rest relayed, as on a full disk
                    spilledBecause = StorageSpace.Refusal.OVER_QUOTA;
                    spill = spill(fill, req, writer, digests, spilledBecause);
                }
                if (spill == null) {
                    try {
                        writer.write(ByteBuffer.wrap(buf, 0, n));
                        copied += n;
                        fill.progress(writer.written());
                        continue;
                    } catch (IOException e) {
                        if (!space.writeFailed(e)) {
                            throw e;
                        }
                        spilledBecause = StorageSpace.Refusal.DISK_FULL;
                        spill = spill(fill, req, writer, digests, spilledBecause);
                    }
                }
                spill.update(ByteBuffer.wrap(buf, 0, n));
                fill.relay(ByteBuffer.wrap(buf, 0, n));
                copied += n;
            }
            events.upstreamBytes(instance, copied);
            if (expected >= 0 && copied != expected) {
                throw new IOException("upstream body ended after " + copied + " of " + expected + " bytes");
            }
            if (spill != null) {
                finishSpilled(fill, req, writer, spill, copied, spilledBecause, !digests.isEmpty());
                return;
            }
            Optional<String> refusedFile = req.verification().fileCheck().refuses(writer.tempFile());
            if (refusedFile.isPresent()) {
                LOG.warn("[{}] refusing {}: {}", instance, req.key(), refusedFile.get());
                events.verificationFailed(instance);
                abort(fill, writer, "refused: " + refusedFile.get(), copied);
                return;
            }
            writer.verify();
            // The client's body is complete and verified now; making it durable (fsync, rename, fsync of
            // the directory, the index entry) is not its wait: a small package's miss costs a few
            // milliseconds of fsync on a virtual disk, longer than the transfer (issue 20).
            fill.verified(copied);
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
            space.writeFailed(e);
            LOG.warn("[{}] fill of {} aborted: {}", instance, req.key(), e.toString());
            abort(fill, writer, Objects.toString(e.getMessage(), e.toString()), copied);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(fill, writer, "interrupted", copied);
        }
    }

    /**
     * The disk filled up in the middle of the body, or a body without a stated length grew past the quota:
     * the clients following it still get it whole. What is on disk stays readable; the rest goes to them
     * through the fill's relay, in memory, at the pace of the slowest; the body is verified as a stored one
     * would be (the digests are taken over the file's bytes, then the relayed ones), and nothing is stored.
     * The fill leaves the single-flight table now, so that a new request starts its own.
     */
    private MultiDigester spill(Fill<FillOutcome> fill, CacheRequest req, BlobWriter writer, List<Digest> digests,
            StorageSpace.Refusal why) throws IOException {
        long onDisk = writer.written();
        LOG.warn("[{}] {} {} bytes into {}: relaying the rest to its clients, not storing it", instance,
                why.reason(), onDisk, req.key());
        MultiDigester digester = new MultiDigester(digests);
        try (InputStream prefix = Files.newInputStream(writer.tempFile())) {
            byte[] buf = new byte[CHUNK];
            for (long left = onDisk; left > 0; ) {
                int r = prefix.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    throw new IOException("the temp file of " + req.key() + " is shorter than what was written");
                }
                digester.update(ByteBuffer.wrap(buf, 0, r));
                left -= r;
            }
        }
        fill.spilled(onDisk, RELAY_WINDOW);
        fills.finished(fill);
        return digester;
    }

    /**
     * The end of a spilled body: verified (or refused), then the temp file goes; nothing is published. A body
     * that only a check of the whole file verifies ({@link FileCheck}, and no digest) cannot be verified once
     * part of it went past the file: its readers are cut before the last byte, as for a mismatch.
     */
    private void finishSpilled(Fill<FillOutcome> fill, CacheRequest req, BlobWriter writer, MultiDigester digester,
            long copied, StorageSpace.Refusal why, boolean digested) throws DigestMismatchException {
        if (!digested && req.verification().fileCheck() != FileCheck.NONE) {
            LOG.warn("[{}] refusing {}: {}, so its whole-file check cannot run", instance, req.key(), why.reason());
            events.fillUnstored(instance, why.label());
            abort(fill, writer, "not verified: " + why.reason(), copied);
            return;
        }
        digester.finishAndVerify(); // a mismatch aborts the fill: its readers never see the last byte
        fill.verified(copied);
        writer.abort();
        events.fillUnstored(instance, why.label());
        events.fillFinished(instance, false, copied);
        LOG.info("[{}] relayed {} whole ({} bytes) without storing it", instance, req.key(), copied);
        // settles the fill: last, after its accounting
        fill.aborted("not stored: " + why.reason());
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
}
