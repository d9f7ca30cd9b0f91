package dev.cacheproxy.core.index;

import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The compact table of every entry of every instance, in memory: which blob it holds, how large, and
 * when it was last used. The size quota evicts in its order; a blob is freed only when no entry in it
 * references the blob any more.
 *
 * <p>A use costs one table lookup and one field write: no disk write per hit. Use times reach the disk
 * lazily, as the modification time of the entry's file ({@link UsageScan#flush}), which is also where
 * {@link UsageScan#rebuild} finds them after a restart, in the background: until that scan has run,
 * {@link #complete()} is false and nothing is evicted, because the order is not known yet.
 *
 * <p>An entry is known by its instance and the SHA-256 of its key, which is also its name in the
 * {@link EntryStore} ({@link EntryIndex#nameOf}); the key itself is not kept (the quota reads it from the entry's
 * document when it evicts). Everything lives in primitive arrays ({@link DigestTable}): about 155 bytes an entry
 * with a blob of its own at a million entries (EvictionOrderBench measures it), instead of ~350 in maps of
 * records. One lock guards it; a hit holds it for a lookup and a write.
 */
public final class EntryUsage {
    /** A candidate for eviction, as the table saw it when asked: {@code name} is the entry's name in the store. */
    public record Candidate(String instance, String name, Digest blob, long size, long lastUsed) {}

    /** An entry whose last use is newer than what its file says. */
    public record Unflushed(String instance, String name, long lastUsed) {}

    /** Removes one key from an instance's index (and its hot cache). */
    public interface Removal {
        void remove(String key) throws IOException;

        /** Removes the entry stored under {@code name} ({@link EntryIndex#nameOf}), whose key is not known. */
        void removeNamed(String name) throws IOException;

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

    private final DigestTable entries = new DigestTable();
    private int[] blobOf = new int[16];
    private long[] sizeOf = new long[16];
    private long[] lastUsedOf = new long[16];
    private long[] flushedOf = new long[16];

    private final DigestTable blobs = new DigestTable();
    private int[] references = new int[16];

    private final Map<String, Integer> instanceIds = new HashMap<>();
    private final List<String> instanceNames = new ArrayList<>();
    private long[] heldEntries = new long[4];
    private long[] heldBytes = new long[4];

    private final Map<String, Removal> removals = new ConcurrentHashMap<>();
    /** Entries removed while the start-up scan runs ("instance/name"), so that it does not bring them back. */
    private final Set<String> removedDuringScan = new HashSet<>();
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
        byte[] name = entry.keyDigest();
        byte[] blob = sha256Bytes(entry.blob());
        synchronized (this) {
            int id = instanceId(instance);
            int slot = entries.find(id, name);
            if (slot >= 0) {
                unreference(blobOf[slot]);
                heldEntries[id]--;
                heldBytes[id] -= sizeOf[slot];
            } else {
                slot = addEntry(id, name);
            }
            // The entry's file was just written: its modification time is this use already.
            setEntry(id, slot, blob, entry.size(), now, now);
        }
        onGrowth.run();
    }

    /** The entry was served (or read to serve another). */
    void used(String instance, CacheEntry entry, long now) {
        byte[] name = entry.keyDigest();
        synchronized (this) {
            int slot = slotOf(instance, name);
            if (slot >= 0 && lastUsedOf[slot] < now) {
                lastUsedOf[slot] = now;
            }
        }
    }

    /** The entry of {@code key} is gone; returns its blob when no other entry references it now. */
    public Optional<Digest> removed(String instance, String key) {
        return removed(instance, CacheEntry.digestOfKey(key));
    }

    /** {@link #removed(String, String)} by the entry's name in the store ({@link Candidate#name}). */
    public Optional<Digest> removedNamed(String instance, String name) {
        return removed(instance, EntryIndex.keyDigestOf(name));
    }

    private synchronized Optional<Digest> removed(String instance, byte[] name) {
        if (!complete) {
            removedDuringScan.add(instance + "/" + EntryIndex.nameOf(name));
        }
        int slot = slotOf(instance, name);
        if (slot < 0) {
            return Optional.empty();
        }
        int id = entries.tag(slot);
        int blob = blobOf[slot];
        Digest digest = blobDigest(blob);
        heldEntries[id]--;
        heldBytes[id] -= sizeOf[slot];
        entries.remove(slot);
        return unreference(blob) ? Optional.of(digest) : Optional.empty();
    }

    /** An entry found on disk by the start-up scan; an entry stored or removed since wins. */
    void loaded(String instance, CacheEntry entry, long lastUsed) {
        byte[] name = entry.keyDigest();
        byte[] blob = sha256Bytes(entry.blob());
        synchronized (this) {
            if (!removedDuringScan.isEmpty() && removedDuringScan.contains(instance + "/" + EntryIndex.nameOf(name))) {
                return;
            }
            int id = instanceId(instance);
            if (entries.find(id, name) < 0) {
                setEntry(id, addEntry(id, name), blob, entry.size(), lastUsed, lastUsed);
            }
        }
    }

    /** The start-up scan is done: the order is known and eviction may start. */
    synchronized void scanned() {
        complete = true;
        removedDuringScan.clear();
    }

    public boolean complete() {
        return complete;
    }

    public boolean referenced(Digest blob) {
        byte[] bytes = sha256Bytes(blob);
        synchronized (this) {
            int b = blobs.find(0, bytes);
            return b >= 0 && references[b] > 0;
        }
    }

    /** The last use of an entry the table knows in epoch millis (newer than its file's until flushed), or 0. */
    public long lastUsed(String instance, String key) {
        byte[] name = CacheEntry.digestOfKey(key);
        synchronized (this) {
            int slot = slotOf(instance, name);
            return slot < 0 ? 0 : lastUsedOf[slot];
        }
    }

    /** The entries of {@code instance} and the bytes they hold (see {@link Held}). */
    public synchronized Held held(String instance) {
        Integer id = instanceIds.get(instance);
        return id == null ? new Held(0, 0) : new Held(heldEntries[id], Math.max(0, heldBytes[id]));
    }

    public synchronized int size() {
        return entries.size();
    }

    /**
     * The {@code max} least recently used entries last used before {@code usedBefore}, oldest first. The table is
     * copied into one primitive array under the lock (a few milliseconds for a million entries: hits wait that
     * long at most) and sorted outside it (about 100 ms for a million); an entry used or removed in between is
     * left out.
     */
    public List<Candidate> leastRecentlyUsed(long usedBefore, int max) {
        long[] order;
        int slotBits;
        synchronized (this) {
            int high = entries.highWater();
            long oldest = Long.MAX_VALUE;
            long newest = Long.MIN_VALUE;
            int n = 0;
            for (int s = 0; s < high; s++) {
                if (entries.live(s) && lastUsedOf[s] < usedBefore) {
                    oldest = Math.min(oldest, lastUsedOf[s]);
                    newest = Math.max(newest, lastUsedOf[s]);
                    n++;
                }
            }
            // One long per entry: the time since the oldest use above the slot number. Millisecond order needs
            // 20 + 42 bits for a million entries over a century; a coarser unit is taken only past that.
            slotBits = Math.max(1, 32 - Integer.numberOfLeadingZeros(high));
            int unitShift = 0;
            while (n > 0 && ((newest - oldest) >>> unitShift) >>> (63 - slotBits) != 0) {
                unitShift++;
            }
            order = new long[n];
            int i = 0;
            for (int s = 0; s < high; s++) {
                if (entries.live(s) && lastUsedOf[s] < usedBefore) {
                    order[i++] = ((lastUsedOf[s] - oldest) >>> unitShift) << slotBits | s;
                }
            }
        }
        Arrays.sort(order);
        List<Candidate> out = new ArrayList<>(Math.min(order.length, max));
        synchronized (this) {
            for (int k = 0; k < order.length && out.size() < max; k++) {
                int s = (int) (order[k] & ((1L << slotBits) - 1));
                // Removed since, or used (a slot reused by a new entry is used now too): not a candidate.
                if (entries.live(s) && lastUsedOf[s] < usedBefore) {
                    out.add(new Candidate(instanceNames.get(entries.tag(s)), EntryIndex.nameOf(entries.digest(s)),
                            blobDigest(blobOf[s]), sizeOf[s], lastUsedOf[s]));
                }
            }
        }
        return out;
    }

    /** Every entry last used before {@code usedBefore}, least recently used first (tests, tools). */
    public List<Candidate> leastRecentlyUsed(long usedBefore) {
        return leastRecentlyUsed(usedBefore, Integer.MAX_VALUE);
    }

    /** The entries used since their file last recorded it. */
    synchronized List<Unflushed> unflushed() {
        List<Unflushed> out = new ArrayList<>();
        for (int s = 0; s < entries.highWater(); s++) {
            if (entries.live(s) && lastUsedOf[s] > flushedOf[s]) {
                out.add(new Unflushed(instanceNames.get(entries.tag(s)), EntryIndex.nameOf(entries.digest(s)),
                        lastUsedOf[s]));
            }
        }
        return out;
    }

    /** Records that the file of {@code name} of {@code instance} now says {@code lastUsed}. */
    void flushed(String instance, String name, long lastUsed) {
        byte[] digest = EntryIndex.keyDigestOf(name);
        synchronized (this) {
            int slot = slotOf(instance, digest);
            if (slot >= 0 && flushedOf[slot] < lastUsed) {
                flushedOf[slot] = lastUsed;
            }
        }
    }

    /** The slot of {@code instance}'s entry named {@code name}, or -1. */
    private int slotOf(String instance, byte[] name) {
        Integer id = instanceIds.get(instance);
        return id == null ? -1 : entries.find(id, name);
    }

    private int instanceId(String instance) {
        Integer id = instanceIds.get(instance);
        if (id == null) {
            id = instanceNames.size();
            instanceIds.put(instance, id);
            instanceNames.add(instance);
            if (id >= heldEntries.length) {
                heldEntries = Arrays.copyOf(heldEntries, id * 2);
                heldBytes = Arrays.copyOf(heldBytes, id * 2);
            }
        }
        return id;
    }

    private int addEntry(int id, byte[] name) {
        int slot = entries.add(id, name);
        if (entries.capacity() > blobOf.length) {
            int n = entries.capacity();
            blobOf = Arrays.copyOf(blobOf, n);
            sizeOf = Arrays.copyOf(sizeOf, n);
            lastUsedOf = Arrays.copyOf(lastUsedOf, n);
            flushedOf = Arrays.copyOf(flushedOf, n);
        }
        return slot;
    }

    private void setEntry(int id, int slot, byte[] blob, long size, long lastUsed, long flushed) {
        blobOf[slot] = reference(blob);
        sizeOf[slot] = size;
        lastUsedOf[slot] = lastUsed;
        flushedOf[slot] = flushed;
        heldEntries[id]++;
        heldBytes[id] += size;
    }

    /** One more entry holds the blob whose SHA-256 is {@code bytes}; returns the blob's slot. */
    private int reference(byte[] bytes) {
        int b = blobs.find(0, bytes);
        if (b < 0) {
            b = blobs.add(0, bytes);
            if (blobs.capacity() > references.length) {
                references = Arrays.copyOf(references, blobs.capacity());
            }
            references[b] = 0;
        }
        references[b]++;
        return b;
    }

    /** One entry fewer holds the blob at {@code b}; true when none does now. */
    private boolean unreference(int b) {
        if (--references[b] > 0) {
            return false;
        }
        blobs.remove(b);
        return true;
    }

    private Digest blobDigest(int b) {
        return Digest.of(DigestAlgorithm.SHA256, blobs.digest(b));
    }

    private static byte[] sha256Bytes(Digest blob) {
        if (blob.algorithm() != DigestAlgorithm.SHA256) {
            throw new IllegalArgumentException("blobs are addressed by SHA-256, not " + blob);
        }
        return blob.bytes();
    }
}
