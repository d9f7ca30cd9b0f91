package dev.cacheproxy.core.fetch;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The single-flight table: at most one {@link Fill} per key at a time. The key must include every
 * input that changes the answer (the engine uses instance and cache key).
 *
 * @param <O> the fill outcome type
 */
public final class FillRegistry<O> {
    private final ConcurrentHashMap<String, Fill<O>> inFlight = new ConcurrentHashMap<>();

    public Fill<O> get(String key) {
        return inFlight.get(key);
    }

    /**
     * Returns the fill in flight for {@code key}, or creates one and hands it to {@code leader}
     * (exactly once per created fill, outside the map lock).
     *
     * @return the fill, and whether this call created it
     */
    public Joined<O> joinOrStart(String key, Consumer<Fill<O>> leader) {
        Fill<O> mine = new Fill<>(key);
        Fill<O> existing = inFlight.putIfAbsent(key, mine);
        if (existing != null) {
            return new Joined<>(existing, false);
        }
        leader.accept(mine);
        return new Joined<>(mine, true);
    }

    /** Removes {@code fill} if it is still the one registered for its key. */
    public void finished(Fill<O> fill) {
        inFlight.remove(fill.key(), fill);
    }

    public int size() {
        return inFlight.size();
    }

    public record Joined<O>(Fill<O> fill, boolean leader) {}
}
