package dev.cacheproxy.core.index;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;

/**
 * The hot index of every instance: entries (and, for a store of this node's own, known absences) kept in
 * memory so that a hit reads no metadata, one budget in bytes for all instances together
 * ({@code storage.hot_index_size}). An instance with the traffic gets the room: Caffeine keeps what is used
 * most (W-TinyLFU), whichever instance it belongs to. What falls out costs one read of its entry file on
 * its next hit, nothing else.
 *
 * <p>Bytes are estimated per entry from its key and headers ({@link #weigh}), counting the replayed head a
 * hit builds and keeps ({@link CacheEntry#replayed}); {@code HotEntriesBench} checks the estimate against
 * the heap.
 */
public final class HotEntries {
    /** The default budget: about 50,000 typical entries once they have been hit. */
    public static final long DEFAULT_BYTES = 64L << 20;

    /** Bytes of one slot whatever it holds: Caffeine's node, this key, the Optional, the key string's header. */
    static final int SLOT = 160;
    /**
     * Bytes of a present entry's fixed parts: CacheEntry, its Digest and hex, two Instants, the headers map, the
     * key's SHA-256 a hit keeps (for the use table).
     */
    static final int ENTRY = 340;
    /** Bytes of one header beyond its characters: map slots, two strings, and its replayed and wire forms. */
    static final int HEADER = 150;

    private record Key(String instance, String key) {}

    private final Cache<Key, Optional<CacheEntry>> cache;
    private final Policy.Eviction<Key, Optional<CacheEntry>> eviction;

    private HotEntries(Cache<Key, Optional<CacheEntry>> cache) {
        this.cache = cache;
        this.eviction = cache.policy().eviction().orElseThrow();
    }

    /** At most about {@code maxBytes} of heap (the server). */
    public static HotEntries ofBytes(long maxBytes) {
        return new HotEntries(Caffeine.newBuilder().maximumWeight(maxBytes)
                .weigher((Key k, Optional<CacheEntry> v) -> weigh(k.key(), v)).build());
    }

    /** At most {@code maxEntries} entries, whatever their size (tests and tools with an index of their own). */
    public static HotEntries ofEntries(long maxEntries) {
        return new HotEntries(Caffeine.newBuilder().maximumSize(maxEntries).build());
    }

    /** What {@code instance} knows of {@code key}: present, known absent (empty), or null when not held. */
    public Optional<CacheEntry> get(String instance, String key) {
        return cache.getIfPresent(new Key(instance, key));
    }

    /** Only {@link EntryIndex} should call this (and benchmarks): it keeps the index and this in step. */
    public void put(String instance, String key, Optional<CacheEntry> known) {
        cache.put(new Key(instance, key), known);
    }

    /**
     * Forgets the key of {@code instance} whose SHA-256 is {@code keyDigest} (an entry removed by its stored name,
     * its document unreadable). Walks every key held: for that rare case only.
     */
    void forgetNamed(String instance, byte[] keyDigest) {
        cache.asMap().keySet().removeIf(k -> k.instance().equals(instance)
                && Arrays.equals(CacheEntry.digestOfKey(k.key()), keyDigest));
    }

    /** Runs the evictions Caffeine has pending (tests, before reading {@link #weightedSize}). */
    void cleanUp() {
        cache.cleanUp();
    }

    /** The estimated bytes held now (or entries, for {@link #ofEntries}). */
    public long weightedSize() {
        return eviction.weightedSize().orElse(cache.estimatedSize());
    }

    /** The budget in the unit of {@link #weightedSize}. */
    public long maximum() {
        return eviction.getMaximum();
    }

    /** The estimated heap bytes of one slot of {@code key} holding {@code known}. */
    public static int weigh(String key, Optional<CacheEntry> known) {
        long bytes = SLOT + (long) key.length();
        if (known.isPresent()) {
            bytes += ENTRY;
            for (Map.Entry<String, String> h : known.get().headers().entrySet()) {
                // The characters are held twice: the stored map's strings and the replayed head's.
                bytes += HEADER + 2L * (h.getKey().length() + h.getValue().length());
            }
        }
        return (int) Math.min(Integer.MAX_VALUE, bytes);
    }
}
