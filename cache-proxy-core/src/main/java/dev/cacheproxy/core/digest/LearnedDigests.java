package dev.cacheproxy.core.digest;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.List;

/**
 * Digests a mode learns from metadata it serves (npm's {@code dist.integrity}, PyPI's {@code #sha256=},
 * cargo's {@code cksum}, a narinfo's {@code FileHash}), kept by the key of the artifact they vouch for,
 * so that the artifact's fill is verified before it is stored. Bounded (least recently used first out):
 * a forgotten digest is learned again from the stored metadata, never guessed.
 */
public final class LearnedDigests {
    private final Cache<String, List<Digest>> byKey;

    public LearnedDigests(long maxKeys) {
        this.byKey = Caffeine.newBuilder().maximumSize(maxKeys).build();
    }

    /** Remembers what {@code key}'s body must match (an empty list is ignored). */
    public void learn(String key, List<Digest> digests) {
        if (!digests.isEmpty()) {
            byKey.put(key, List.copyOf(digests));
        }
    }

    /** The digests {@code key}'s body must match; empty when none was learned. */
    public List<Digest> expectedFor(String key) {
        List<Digest> d = byKey.getIfPresent(key);
        return d == null ? List.of() : d;
    }
}
