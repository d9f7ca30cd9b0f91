package dev.cacheproxy.core.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * An immutable, case-insensitive multimap of HTTP header fields. Core code uses it instead of a
 * Netty or {@code java.net.http} type so that the engine stays independent of both.
 */
public final class Headers {
    public static final Headers EMPTY = new Headers(new TreeMap<>(String.CASE_INSENSITIVE_ORDER));

    private final TreeMap<String, List<String>> fields;
    /** The one form a transport derived from these fields ({@link #derived}), or null. */
    private volatile Object derived;

    private Headers(TreeMap<String, List<String>> fields) {
        this.fields = fields;
    }

    public static Headers of(String... nameValuePairs) {
        Builder b = builder();
        for (int i = 0; i < nameValuePairs.length; i += 2) {
            b.add(nameValuePairs[i], nameValuePairs[i + 1]);
        }
        return b.build();
    }

    public static Headers fromMap(Map<String, List<String>> map) {
        Builder b = builder();
        map.forEach((k, vs) -> vs.forEach(v -> b.add(k, v)));
        return b.build();
    }

    public static Builder builder() {
        return new Builder(new TreeMap<>(String.CASE_INSENSITIVE_ORDER));
    }

    public Optional<String> first(String name) {
        List<String> v = fields.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v.get(0));
    }

    public String get(String name) {
        return first(name).orElse(null);
    }

    public List<String> all(String name) {
        return fields.getOrDefault(name, List.of());
    }

    public boolean contains(String name) {
        return fields.containsKey(name);
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    public void forEach(BiConsumer<String, String> action) {
        fields.forEach((k, vs) -> vs.forEach(v -> action.accept(k, v)));
    }

    public Builder toBuilder() {
        Builder b = builder();
        forEach(b::add);
        return b;
    }

    /**
     * A representation of these headers that a transport makes once and reuses while the same instance is
     * served again (the server keeps a hit's head encoded for the wire: a hot entry replays one instance,
     * {@code CacheEntry#replayed}). One form is kept: asked for another type, {@code derive} runs and replaces
     * it. {@code derive} must depend on these fields only; it may run more than once when threads race.
     */
    public <T> T derived(Class<T> type, Function<Headers, T> derive) {
        Object d = derived;
        if (type.isInstance(d)) {
            return type.cast(d);
        }
        T made = derive.apply(this);
        derived = made;
        return made;
    }

    /** Only the fields named in {@code names}, every value kept ({@code pass_headers}: client to upstream). */
    public Headers only(List<String> names) {
        if (names.isEmpty()) {
            return EMPTY;
        }
        Builder b = builder();
        for (String name : names) {
            all(name).forEach(v -> b.add(name, v));
        }
        return b.build();
    }

    /** A copy with {@code name} set to exactly {@code value}. */
    public Headers with(String name, String value) {
        return toBuilder().set(name, value).build();
    }

    @Override
    public String toString() {
        return fields.toString();
    }

    public static final class Builder {
        private final TreeMap<String, List<String>> fields;

        private Builder(TreeMap<String, List<String>> fields) {
            this.fields = fields;
        }

        public Builder add(String name, String value) {
            if (value != null) {
                fields.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
            }
            return this;
        }

        public Builder set(String name, String value) {
            fields.remove(name);
            return add(name, value);
        }

        public Builder remove(String name) {
            fields.remove(name);
            return this;
        }

        public Headers build() {
            TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            fields.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return new Headers(copy);
        }
    }
}
