package dev.cacheproxy.core.quota;

import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.index.EntryStore;
import dev.cacheproxy.core.index.EntryUsage;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The size quota: once the store holds more than the high watermark, the least recently used entries
 * of every instance are removed until it holds no more than the low watermark. A blob goes with the
 * last entry that references it (one OCI layer shared by ten images stays while one of them does).
 *
 * <p>Two things are spared, so that nothing is deleted under a reader: an entry used within
 * {@link #IN_USE} (a response being written opens its blob moments after the lookup; an open file
 * survives its deletion, but the moments in between do not), and a blob stored within
 * {@link #BLOB_GRACE} (a fill that has just committed the same content is about to index it). A store
 * made only of such entries stays over its quota until they age; that is logged.
 *
 * <p>Runs on its own thread, started by {@link #check} after a fill stores an entry (coalesced: one
 * run at a time, and one more if asked during it) and by the server's timer as a safety net.
 */
public final class QuotaEnforcer {
    private static final Logger LOG = LoggerFactory.getLogger(QuotaEnforcer.class);
    static final Duration IN_USE = Duration.ofSeconds(10);
    static final Duration BLOB_GRACE = Duration.ofMinutes(1);
    /** Candidates asked of the use table at a time (each ask sorts the whole table; a candidate is ~200 bytes). */
    static final int BATCH = 25_000;

    private final BlobStore store;
    private final EntryUsage usage;
    private final EntryStore entries;
    private final StorageLimits limits;
    private final InstantSource clock;
    private final CacheEvents events;
    private final ExecutorService runner;
    private final AtomicBoolean queued = new AtomicBoolean();
    private final int batch;

    /** @param runner where {@link #check} runs eviction (one thread: runs never overlap) */
    public QuotaEnforcer(BlobStore store, EntryUsage usage, EntryStore entries, StorageLimits limits, InstantSource clock,
            CacheEvents events, ExecutorService runner) {
        this(store, usage, entries, limits, clock, events, runner, BATCH);
    }

    /** With batches of {@code batch} candidates (tests). */
    QuotaEnforcer(BlobStore store, EntryUsage usage, EntryStore entries, StorageLimits limits, InstantSource clock,
            CacheEvents events, ExecutorService runner, int batch) {
        this.batch = batch;
        this.store = store;
        this.usage = usage;
        this.entries = entries;
        this.limits = limits;
        this.clock = clock;
        this.events = events;
        this.runner = runner;
    }

    public record Result(int evictedEntries, int deletedBlobs, long freedBytes) {
        static final Result NONE = new Result(0, 0, 0);
    }

    /** Cheap: starts a run on the runner when the store is over its high watermark and none is queued. */
    public void check() {
        if (!limits.hasQuota() || store.stats().bytes() <= limits.highBytes() || !queued.compareAndSet(false, true)) {
            return;
        }
        try {
            runner.execute(() -> {
                queued.set(false);
                try {
                    run();
                } catch (RuntimeException e) {
                    LOG.error("size quota: eviction failed", e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            queued.set(false); // shutting down
        }
    }

    /**
     * One eviction pass, when the store is over its high watermark and the start-up scan is complete.
     * Blocks on disk I/O.
     */
    public Result run() {
        long stored = store.stats().bytes();
        if (!limits.hasQuota() || stored <= limits.highBytes() || !usage.complete()) {
            return Result.NONE;
        }
        Instant now = clock.instant();
        long target = limits.lowBytes();
        int evicted = 0;
        int deleted = 0;
        long freed = 0;
        boolean progress = true;
        // In batches of the oldest: the use table is asked again after each, so that no list of all entries is
        // built; a batch in which nothing could be removed ends the run (the next check tries again).
        batches:
        while (progress) {
            progress = false;
            for (EntryUsage.Candidate c : usage.leastRecentlyUsed(now.minus(IN_USE).toEpochMilli(), batch)) {
                if (store.stats().bytes() <= target) {
                    break batches;
                }
                if (!remove(c)) {
                    continue;
                }
                progress = true;
                evicted++;
                if (!usage.referenced(c.blob()) && deleteBlob(c.blob(), now)) {
                    deleted++;
                    freed += c.size();
                }
            }
        }
        long after = store.stats().bytes();
        events.evicted(evicted, freed);
        if (after > target) {
            LOG.warn("size quota: {} bytes stored after evicting {} entries, above the low watermark of {} "
                    + "(what is left was used or stored in the last minute, or is not referenced yet)", after, evicted, target);
        } else {
            LOG.info("size quota: evicted {} least recently used entries and {} blobs ({} bytes); {} of {} bytes stored",
                    evicted, deleted, freed, after, limits.maxSize());
        }
        return new Result(evicted, deleted, freed);
    }

    /**
     * Removes the entry through its instance's live index (which forgets it in its hot cache too), by the key its
     * document names, or by its name when the document cannot be read; without a live index (a disabled
     * instance), the document is deleted by name.
     */
    private boolean remove(EntryUsage.Candidate c) {
        try {
            Optional<EntryUsage.Removal> live = usage.removal(c.instance());
            if (live.isEmpty()) {
                entries.delete(c.instance(), c.name());
            } else {
                Optional<String> key = keyOf(c);
                if (key.isPresent()) {
                    live.get().remove(key.get());
                } else {
                    live.get().removeNamed(c.name());
                }
            }
            // Already done by the live index when it had one; a no-op then, and the table's only update otherwise.
            usage.removedNamed(c.instance(), c.name());
            return true;
        } catch (IOException e) {
            LOG.warn("size quota: could not evict {} of {}: {}", c.name(), c.instance(), e.toString());
            return false;
        }
    }

    /** The key the candidate's document names, if it can be read and is stored under that key's name. */
    private Optional<String> keyOf(EntryUsage.Candidate c) throws IOException {
        return entries.read(c.instance(), c.name()).flatMap(bytes -> EntryIndex.entryOf(c.name(), bytes))
                .map(CacheEntry::key).filter(key -> EntryIndex.nameOf(key).equals(c.name()));
    }

    private boolean deleteBlob(Digest blob, Instant now) {
        try {
            Optional<Instant> storedAt = store.storedAt(blob);
            return storedAt.isPresent() && storedAt.get().isBefore(now.minus(BLOB_GRACE)) && store.delete(blob);
        } catch (IOException e) {
            LOG.warn("size quota: could not delete blob {}: {}", blob, e.toString());
            return false;
        }
    }
}
