package dev.cacheproxy.core.maintenance;

import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.index.EntryIndex;
import dev.cacheproxy.core.index.EntryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mark and sweep over the shared blob store ({@code storage.gc.blob}): a blob that no index entry of
 * any instance references, and that was stored longer ago than the grace period, is deleted.
 *
 * <p>The grace period is what makes running beside live traffic safe: a fill commits its blob and
 * then writes the entry, so between the two the blob is unreferenced but young; a commit of content
 * that is already stored refreshes its time ({@link BlobStore#storedAt}). Entries of disabled
 * instances count as references (their index is still on disk).
 *
 * <p>The mark set holds one digest per entry (about 100 bytes each): a million entries cost about
 * 100 MiB for the length of a run.
 */
public final class BlobGarbageCollector {
    private static final Logger LOG = LoggerFactory.getLogger(BlobGarbageCollector.class);

    private final BlobStore store;
    private final EntryStore entries;
    /** How long a damaged blob's copy stays in {@code quarantine/} for an operator to look at. */
    static final Duration QUARANTINE_KEPT = Duration.ofDays(7);

    private final Duration grace;
    private final InstantSource clock;

    public BlobGarbageCollector(BlobStore store, EntryStore entries, Duration grace, InstantSource clock) {
        this.store = store;
        this.entries = entries;
        this.grace = grace;
        this.clock = clock;
    }

    public record Result(long referenced, long deleted, long deletedBytes) {}

    /** One full pass. Blocks on disk I/O; runs on the maintenance thread. */
    public Result run() throws IOException {
        Set<Digest> referenced = new HashSet<>();
        entries.forEach(null, (instance, name, bytes, lastUsed) -> {
            EntryIndex.entryOf(name, bytes).ifPresent(e -> referenced.add(e.blob()));
            return true;
        });
        Instant cutoff = clock.instant().minus(grace);
        List<BlobFile> candidates = new ArrayList<>();
        store.forEach(b -> {
            if (!referenced.contains(b.digest())) {
                candidates.add(b);
            }
        });
        long deleted = 0;
        long bytes = 0;
        for (BlobFile b : candidates) {
            try {
                Optional<Instant> storedAt = store.storedAt(b.digest());
                if (storedAt.isPresent() && storedAt.get().isBefore(cutoff) && store.delete(b.digest())) {
                    deleted++;
                    bytes += b.size();
                }
            } catch (IOException e) {
                LOG.warn("blob GC could not delete {}: {}", b.digest(), e.toString());
            } catch (UncheckedIOException e) {
                LOG.warn("blob GC could not look at {}: {}", b.digest(), e.getCause().toString());
            }
        }
        if (deleted > 0) {
            LOG.info("blob GC deleted {} unreferenced blob(s), {} bytes; {} referenced", deleted, bytes, referenced.size());
        }
        int purged = store.purgeQuarantine(clock.instant().minus(QUARANTINE_KEPT));
        if (purged > 0) {
            LOG.info("blob GC deleted {} quarantined copie(s) older than {}", purged, QUARANTINE_KEPT);
        }
        return new Result(referenced.size(), deleted, bytes);
    }
}
