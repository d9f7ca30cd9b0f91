package dev.cacheproxy.core.index;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A set of (tag, SHA-256) pairs in primitive arrays, each member at a stable slot number the caller keeps
 * its own per-slot data under: what {@link EntryUsage} holds a million entries in without an object per entry
 * (about 45 bytes a member, at a load factor between a quarter and a half).
 *
 * <p>Open addressing with linear probing over an {@code int[]} of slot numbers, deletion by backward shift (no
 * tombstones); freed slots are reused. The digests are uniformly random, so their first word is the hash. Not
 * thread-safe: its owner locks.
 */
final class DigestTable {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final int WORDS = 4;

    /** Slot + 1 per bucket; 0 is empty. */
    private int[] buckets = new int[64];
    /** Four words per slot. */
    private long[] digests = new long[16 * WORDS];
    private int[] tags = new int[16];
    private boolean[] live = new boolean[16];
    /** Freed slots, reused before new ones. */
    private int[] free = new int[16];
    private int freeCount;
    /** Slots ever handed out: 0 until {@code highWater}. */
    private int highWater;
    private int size;

    /** The slot of {@code (tag, digest)}, or -1. */
    int find(int tag, byte[] digest) {
        long w0 = word(digest, 0);
        int mask = buckets.length - 1;
        for (int b = bucketOf(tag, w0, mask); ; b = (b + 1) & mask) {
            int s = buckets[b] - 1;
            if (s < 0) {
                return -1;
            }
            if (tags[s] == tag && matches(s, w0, digest)) {
                return s;
            }
        }
    }

    /** Adds {@code (tag, digest)}, which must not be a member, and returns its slot. */
    int add(int tag, byte[] digest) {
        if ((size + 1) * 2 > buckets.length) {
            rehash(buckets.length * 2);
        }
        int s = freeCount > 0 ? free[--freeCount] : highWater++;
        if (s >= tags.length) {
            int n = tags.length * 2;
            tags = Arrays.copyOf(tags, n);
            live = Arrays.copyOf(live, n);
            digests = Arrays.copyOf(digests, n * WORDS);
        }
        tags[s] = tag;
        live[s] = true;
        for (int i = 0; i < WORDS; i++) {
            digests[s * WORDS + i] = word(digest, i);
        }
        insert(s);
        size++;
        return s;
    }

    /** Removes the member at {@code slot}; the slot may be handed out again by the next {@link #add}. */
    void remove(int slot) {
        int mask = buckets.length - 1;
        int b = bucketOf(tags[slot], digests[slot * WORDS], mask);
        while (buckets[b] - 1 != slot) {
            b = (b + 1) & mask;
        }
        // Backward shift: move later members of the run into the hole when their home allows it.
        int hole = b;
        for (int next = (hole + 1) & mask; buckets[next] != 0; next = (next + 1) & mask) {
            int s = buckets[next] - 1;
            int home = bucketOf(tags[s], digests[s * WORDS], mask);
            if (((next - home) & mask) >= ((next - hole) & mask)) {
                buckets[hole] = buckets[next];
                hole = next;
            }
        }
        buckets[hole] = 0;
        live[slot] = false;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = slot;
        size--;
    }

    int size() {
        return size;
    }

    /** Slots are below this: per-slot arrays of the owner must be at least this long after an {@link #add}. */
    int capacity() {
        return tags.length;
    }

    /** Slots handed out so far are below this; {@link #live} says which of them are members. */
    int highWater() {
        return highWater;
    }

    boolean live(int slot) {
        return live[slot];
    }

    int tag(int slot) {
        return tags[slot];
    }

    /** The digest at {@code slot}. */
    byte[] digest(int slot) {
        byte[] out = new byte[WORDS * Long.BYTES];
        for (int i = 0; i < WORDS; i++) {
            LONGS.set(out, i * Long.BYTES, digests[slot * WORDS + i]);
        }
        return out;
    }

    private boolean matches(int s, long w0, byte[] digest) {
        int at = s * WORDS;
        return digests[at] == w0 && digests[at + 1] == word(digest, 1) && digests[at + 2] == word(digest, 2)
                && digests[at + 3] == word(digest, 3);
    }

    private void insert(int s) {
        int mask = buckets.length - 1;
        int b = bucketOf(tags[s], digests[s * WORDS], mask);
        while (buckets[b] != 0) {
            b = (b + 1) & mask;
        }
        buckets[b] = s + 1;
    }

    private void rehash(int length) {
        buckets = new int[length];
        for (int s = 0; s < highWater; s++) {
            if (live[s]) {
                insert(s);
            }
        }
    }

    private static int bucketOf(int tag, long w0, int mask) {
        long h = w0 ^ (tag * 0x9E3779B97F4A7C15L);
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private static long word(byte[] digest, int i) {
        if (digest.length != WORDS * Long.BYTES) {
            throw new IllegalArgumentException("not a SHA-256 digest: " + digest.length + " bytes");
        }
        return (long) LONGS.get(digest, i * Long.BYTES);
    }
}
