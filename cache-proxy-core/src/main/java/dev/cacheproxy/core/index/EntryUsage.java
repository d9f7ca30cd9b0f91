package dev.cacheproxy.core.index;

import dev.cacheproxy.core.digest.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * The compact table of every entry of every instance, in memory: which blob it holds, how large, and
 * when it was last used. The size quota evicts in its order; a blob is freed only when no entry in it
 * references the blob any more.
 *
 * <p>A use costs one map lookup and one field write: no disk write per hit. Use times reach the disk
 * lazily, as the modification time of the entry's file ({@link UsageScan#flush}), which is also where
 * {@link UsageScan#rebuild} finds them after a restart, in the background: until that scan has run,
 * {@link #complete()} is false and nothing is evicted, because the order is not known yet.
 *
 * <p>About 200 bytes an entry: a million entries cost some 200 MiB.
 */
public final class EntryUsage {
    /** An entry of the table: the instance and the key. */
    public record Id(String instance, String key) {}

    /** One entry's use: its blob, size and last use; {@code flushed} is the last use already on disk. */
    private static final class Use {
        final Digest blob;
        final long size;
        volatile long lastUsed;
        volatile long flushed;

        Use(Digest blob, long size, long lastUsed, long flushed) {
            this.blob = blob;
            this.size = size;
            this.lastUsed = lastUsed;
            this.flushed = flushed;
        }
    }

    /** A candidate for eviction, as the table saw it when asked. */
    public record Candidate(Id id, Digest blob, long size, long lastUsed) {}

    /** An entry whose last use is newer than what its file says. */
    public record Unflushed(Id id, long lastUsed) {}

    /** Removes one key from an instance's index (and its hot cache). */
    @FunctionalInterface
    public interface Removal {
        void remove(String key) throws IOException;

        /**
         * Forgets what the instance remembers about keys that have no entry (upstream 404s) for the keys
         * {@code keys} accepts: a purge means "ask the upstream again", for absent keys too.
         */
        default void forgetMisses(Predicate<String> keys) {}
    }

    /**
     * What one instance's entries hold: how many and the bytes of their bodies (a blob shared with another
     * instance is counted in each). Complete once the start-up scan has run.
     */
    public record Held(long entries, long bytes) {}

    private static final class Totals {
        final LongAdder entries = new LongAdder();
        final LongAdder bytes = new LongAdder();

        void add(int sign, long size) {
            entries.add(sign);
            bytes.add(sign * size);
        }
    }

    private final Map<Id, Use> entries = new ConcurrentHashMap<>();
    private final Map<String, Totals> totals = new ConcurrentHashMap<>();
    private final Map<Digest, Integer> references = new ConcurrentHashMap<>();
    private final Map<String, Removal> removals = new ConcurrentHashMap<>();
    /** Entries removed while the start-up scan runs, so that it does not bring them back. */
    private final Set<Id> removedDuringScan = ConcurrentHashMap.newKeySet();
    private volatile boolean complete;
    private volatile Runnable onGrowth = () -> {};

    /** Called after every stored entry (the quota checks whether the store has grown past its high watermark). */
    public void onGrowth(Runnable listener) {
        this.onGrowth = listener;
    }

    /** The live index of {@code instance} registers how one of its keys is removed. */
    void attach(String instance, Removal removal) {
        removals.put(instance, removal);
    }

    /** How a key of {@code instance} is removed: through its live index, if it has one. */
    public Optional<Removal> removal(String instance) {
        return Optional.ofNullable(removals.get(instance));
    }

    /** A new or replaced entry, used now. */
    void stored(String instance, CacheEntry entry, long now) {
        Id id = new Id(instance, entry.key());
        // The entry's file was just written: its modification time is this use already.
        Use old = entries.put(id, new Use(entry.blob(), entry.size(), now, now));
        reference(entry.blob(), 1);
        totals(instance).add(1, entry.size());
        if (old != null) {
            reference(old.blob, -1);
            totals(instance).add(-1, old.size);
        }
        onGrowth.run();
    }

    /** The entry of {@code key} was served (or read to serve another). */
    void used(String instance, String key, long now) {
        Use u = entries.get(new Id(instance, key));
        if (u != null && u.lastUsed < now) {
            u.lastUsed = now;
        }
    }

    /** The entry is gone; returns its blob when no other entry references it now. */
    public Optional<Digest> removed(String instance, String key) {
        Id id = new Id(instance, key);
        if (!complete) {
            removedDuringScan.add(id);
        }
        Use old = entries.remove(id);
        if (old == null) {
            return Optional.empty();
        }
        totals(instance).add(-1, old.size);
        return reference(old.blob, -1) == 0 ? Optional.of(old.blob) : Optional.empty();
    }

    /** An entry found on disk by the start-up scan; an entry stored or removed since wins. */
    void loaded(String instance, CacheEntry entry, long lastUsed) {
        Id id = new Id(instance, entry.key());
        if (removedDuringScan.contains(id)) {
            return;
        }
        if (entries.putIfAbsent(id, new Use(entry.blob(), entry.size(), lastUsed, lastUsed)) == null) {
            reference(entry.blob(), 1);
            totals(instance).add(1, entry.size());
        }
    }

    /** The start-up scan is done: the order is known and eviction may start. */
    void scanned() {
        complete = true;
        removedDuringScan.clear();
    }

    public boolean complete() {
        return complete;
    }

    public boolean referenced(Digest blob) {
        return references.getOrDefault(blob, 0) > 0;
    }

    /** The last use of an entry the table knows in epoch millis (newer than its file's until flushed), or 0. */
    public long lastUsed(String instance, String key) {
        Use u = entries.get(new Id(instance, key));
        return u == null ? 0 : u.lastUsed;
    }

    /** The entries of {@code instance} and the bytes they hold (see {@link Held}). */
    public Held held(String instance) {
        Totals t = totals.get(instance);
        return t == null ? new Held(0, 0) : new Held(t.entries.sum(), Math.max(0, t.bytes.sum()));
    }

    private Totals totals(String instance) {
        return totals.computeIfAbsent(instance, k -> new Totals());
    }

    public int size() {
        return entries.size();
    }

    /** Every entry last used before {@code usedBefore}, least recently used first. */
    public List<Candidate> leastRecentlyUsed(long usedBefore) {
        List<Candidate> out = new ArrayList<>();
        entries.forEach((id, u) -> {
            long last = u.lastUsed;
            if (last < usedBefore) {
                out.add(new Candidate(id, u.blob, u.size, last));
            }
        });
        out.sort(Comparator.comparingLong(Candidate::lastUsed));
        return out;
    }

    /** The entries used since their file last recorded it. */
    List<Unflushed> unflushed() {
        List<Unflushed> out = new ArrayList<>();
        entries.forEach((id, u) -> {
            if (u.lastUsed > u.flushed) {
                out.add(new Unflushed(id, u.lastUsed));
            }
        });
        return out;
    }

    /** Records that the file of {@code id} now says {@code lastUsed}. */
    void flushed(Id id, long lastUsed) {
        Use u = entries.get(id);
        if (u != null && u.flushed < lastUsed) {
            u.flushed = lastUsed;
        }
    }

    private int reference(Digest blob, int delta) {
        Integer n = references.compute(blob, (b, old) -> {
            int next = (old == null ? 0 : old) + delta;
            return next <= 0 ? null : next;
        });
        return n == null ? 0 : n;
    }
}
