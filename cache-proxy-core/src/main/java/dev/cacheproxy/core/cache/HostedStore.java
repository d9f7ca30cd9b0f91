package dev.cacheproxy.core.cache;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.BlobWriter;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestMismatchException;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.http.UploadBody;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.index.EntryUsage;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.quota.StorageSpace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The store of a hosted mode (one its clients write to, with no upstream): keys an instance's clients
 * name, each the last body uploaded under it, in the shared content-addressed blob store. The
 * counterpart of {@link CacheEngine} for content nobody else publishes.
 *
 * <p>An upload is streamed into a blob writer as it arrives (never whole in memory), checked (its
 * announced length, the size limit, any digest the key promises) and published atomically: the blob first,
 * then the entry, so a reader sees the old body or the new one, never a part. An upload that is cut, too
 * large or wrong publishes nothing. Two uploads of one key at once both write their own temp file; the
 * last to commit is the one served (each whole). Blocks on disk I/O: call from virtual threads, except
 * {@link #hit}.
 */
public final class HostedStore {
    private static final int CHUNK = 64 * 1024;

    private final String instance;
    private final BlobStore store;
    private final EntryIndex index;
    private final StorageSpace space;
    private final InstantSource clock;
    private final CacheEvents events;
    private final StoredBlobs blobs;
    private final EntryUsage usage;

    /** @param usage the table of last uses (retention is by last use, as the quota's eviction) */
    public HostedStore(String instance, BlobStore store, EntryIndex index, StorageSpace space, InstantSource clock,
            CacheEvents events, EntryUsage usage) {
        this.usage = usage;
        this.instance = instance;
        this.store = store;
        this.index = index;
        this.space = space;
        this.clock = clock;
        this.events = events;
        this.blobs = new StoredBlobs(instance, store, index, events);
    }

    /** How an upload ended. */
    public sealed interface PutOutcome {
        /** Published: the key now serves this entry. */
        record Stored(CacheEntry entry) implements PutOutcome {}

        /** Larger than {@code limit} bytes (announced or counted); nothing stored. */
        record TooLarge(long limit) implements PutOutcome {}

        /** The body is not what its key (or the client) promised: a digest or the announced length. */
        record Mismatch(String reason) implements PutOutcome {}

        /** The client went away, stalled or broke the body before its end. */
        record Cut(String reason) implements PutOutcome {}

        /** No room: the storage quota or the disk ({@code reason} as a metric label). */
        record NoRoom(String reason) implements PutOutcome {}
    }

    /**
     * A stored entry from memory with one stat of its blob, for the event loop (the hit path); empty when
     * {@link #get} must look (cold key, missing or damaged blob).
     */
    public Optional<ProxyResponse> hit(String key, String protocol) {
        Optional<CacheEntry> hot = index.getIfHot(key);
        if (hot.isEmpty()) {
            return Optional.empty();
        }
        Optional<ProxyResponse> hit = store.findNearby(hot.get().blob()).filter(b -> b.size() == hot.get().size())
                .map(b -> new ProxyResponse.Stored(ResponseHeaders.replay(hot.get()), b, CacheStatus.HIT));
        hit.ifPresent(h -> {
            index.used(hot.get(), clock.millis());
            events.served(instance, CacheStatus.HIT);
            events.hostedRead(instance, protocol, true);
        });
        return hit;
    }

    /** The body stored under {@code key} as a response ({@code X-Cache: HIT}), or empty (counted a miss). */
    public Optional<ProxyResponse.Stored> get(String key, String protocol) {
        Optional<CacheEntry> entry = entry(key);
        Optional<ProxyResponse.Stored> found = entry.flatMap(e -> blobs.intact(e)
                .map(b -> new ProxyResponse.Stored(ResponseHeaders.replay(e), b, CacheStatus.HIT)));
        found.ifPresent(f -> index.used(entry.get(), clock.millis()));
        events.served(instance, found.isPresent() ? CacheStatus.HIT : CacheStatus.MISS);
        events.hostedRead(instance, protocol, found.isPresent());
        return found;
    }

    /** The entry of {@code key} (its size, digest and stored headers) without counting a use, or empty. */
    public Optional<CacheEntry> entry(String key) {
        return index.get(key);
    }

    /** The stored body of {@code key} to read once (the caller closes it), or empty. */
    public Optional<InputStream> open(String key) throws IOException {
        Optional<BlobFile> blob = index.get(key).flatMap(blobs::intact);
        return blob.isEmpty() ? Optional.empty() : Optional.of(store.open(blob.get().digest()));
    }

    /**
     * Stores the upload under {@code key}, replacing what the key held once the new body is whole.
     *
     * @param expected digests the body must have (a content-addressed key: Bazel's CAS); empty for none
     * @param maxSize the largest body accepted, in bytes
     * @param protocol the client protocol, a bounded label for the metrics ({@code gradle}, {@code turbo}, ...)
     * @param headers stored with the entry and replayed on every read (Content-Type, a protocol's own)
     */
    public PutOutcome put(String key, String protocol, UploadBody upload, List<Digest> expected, long maxSize,
            Map<String, String> headers) {
        long announced = upload.declaredLength();
        if (announced > maxSize) {
            return refused(new PutOutcome.TooLarge(maxSize), protocol, "too_large");
        }
        Optional<StorageSpace.Refusal> noRoom = space.refusal(announced);
        if (noRoom.isPresent()) {
            return refused(new PutOutcome.NoRoom(noRoom.get().label()), protocol, noRoom.get().label());
        }
        BlobWriter writer;
        try {
            writer = store.newWriter(expected);
        } catch (IOException e) {
            String reason = space.writeFailed(e) ? "disk_full" : "storage_error";
            return refused(new PutOutcome.NoRoom(reason), protocol, reason);
        }
        // refusal() judged the announced length; one not announced is held to the whole quota as it comes
        long quota = space.largestStorable();
        try (writer; InputStream in = upload.open()) {
            byte[] buf = new byte[CHUNK];
            long total = 0;
            int n;
            while ((n = read(in, buf)) >= 0) {
                total += n;
                if (total > maxSize) {
                    return refused(new PutOutcome.TooLarge(maxSize), protocol, "too_large");
                }
                if (total > quota) {
                    String label = StorageSpace.Refusal.OVER_QUOTA.label();
                    return refused(new PutOutcome.NoRoom(label), protocol, label);
                }
                writer.write(ByteBuffer.wrap(buf, 0, n));
            }
            if (announced >= 0 && total != announced) {
                String cut = "the body ended after " + total + " of " + announced + " bytes";
                return refused(new PutOutcome.Cut(cut), protocol, "cut");
            }
            BlobFile blob = writer.commit();
            Instant now = clock.instant();
            CacheEntry entry = new CacheEntry(key, blob.digest(), blob.size(), headers, now, now, !expected.isEmpty());
            index.put(entry);
            events.uploaded(instance, protocol, blob.size());
            return new PutOutcome.Stored(entry);
        } catch (UploadCut e) {
            return refused(new PutOutcome.Cut(e.getCause().getMessage()), protocol, "cut");
        } catch (DigestMismatchException e) {
            events.verificationFailed(instance);
            String mismatch = "the body does not match its digest: " + e.getMessage();
            return refused(new PutOutcome.Mismatch(mismatch), protocol, "mismatch");
        } catch (IOException e) {
            // the store failed under the write (the disk full, above all): nothing published
            String reason = space.writeFailed(e) ? "disk_full" : "storage_error";
            return refused(new PutOutcome.NoRoom(reason), protocol, reason);
        }
    }

    /** A read of the upload that failed: the client's doing, told apart from the store's failures. */
    private static final class UploadCut extends IOException {
        UploadCut(IOException cause) {
            super(cause);
        }
    }

    private static int read(InputStream in, byte[] buf) throws UploadCut {
        try {
            return in.read(buf);
        } catch (IOException e) {
            throw new UploadCut(e);
        }
    }

    /** Removes {@code key}; its blob goes with the next blob GC once nothing references it. */
    public boolean delete(String key) throws IOException {
        boolean had = index.get(key).isPresent();
        index.remove(key);
        return had;
    }

    /**
     * Retention: removes the entries not read or written for {@code expireAfter} (at most {@code batchSize};
     * a dry run only logs); their blobs go with the next blob GC. Nothing is removed until the table of last
     * uses is complete after a restart (an entry's last use is not known before). Blocks on disk I/O.
     */
    public int removeUnused(Expiration expireAfter, int batchSize, boolean dryRun) throws IOException {
        return removeUnused(expireAfter, batchSize, dryRun, key -> true);
    }

    /** {@link #removeUnused(Expiration, int, boolean)} among the keys {@code among} selects. */
    public int removeUnused(Expiration expireAfter, int batchSize, boolean dryRun, Predicate<String> among) throws IOException {
        if (!usage.complete()) {
            return 0;
        }
        Instant now = clock.instant();
        return index.removeWhere(e -> among.test(e.key()) && expireAfter.expired(Instant.ofEpochMilli(
                Math.max(e.validatedAt().toEpochMilli(), usage.lastUsed(instance, e.key()))), now), batchSize, dryRun,
                "retention (unused for " + expireAfter + ")");
    }

    private PutOutcome refused(PutOutcome outcome, String protocol, String reason) {
        events.uploadRefused(instance, protocol, reason);
        return outcome;
    }
}
