package dev.cacheproxy.core.testing;

import dev.cacheproxy.core.config.ConfigBlock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@link ConfigBlock} over plain maps, lists and scalars, so that a test builds a mode from the same
 * block an operator writes, without YAML: {@code Map.of("route", Map.of("path", "/f"), "upstreams",
 * List.of(url))}. Problems and warnings are collected; {@link ModeHarness} fails on any problem.
 */
public final class MapConfigBlock implements ConfigBlock {
    private final String path;
    private final Map<String, ?> values;
    private final List<String> problems;

    public MapConfigBlock(String path, Map<String, ?> values) {
        this(path, values, new ArrayList<>());
    }

    private MapConfigBlock(String path, Map<String, ?> values, List<String> problems) {
        this.path = path;
        this.values = values;
        this.problems = problems;
    }

    /** Every problem recorded on this block and the blocks below it. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public boolean has(String key) {
        return values.get(key) != null;
    }

    @Override
    public Optional<String> string(String key) {
        Object v = values.get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            error(key, "expected a single value");
            return Optional.empty();
        }
        return Optional.of(v.toString());
    }

    @Override
    public Optional<String> requiredString(String key) {
        Optional<String> v = string(key).filter(s -> !s.isBlank());
        if (v.isEmpty()) {
            error(key, "missing (required)");
        }
        return v.map(String::trim);
    }

    @Override
    public List<String> stringList(String key) {
        Object v = values.get(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            error(key, "expected a list");
            return List.of();
        }
        return list.stream().map(Object::toString).toList();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Optional<ConfigBlock> block(String key) {
        Object v = values.get(key);
        if (v instanceof Map<?, ?> m) {
            return Optional.of(new MapConfigBlock(path + "." + key, (Map<String, ?>) m, problems));
        }
        if (v != null) {
            error(key, "expected a block");
        }
        return Optional.empty();
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<ConfigBlock> blockList(String key) {
        Object v = values.get(key);
        if (!(v instanceof List<?> list)) {
            return List.of();
        }
        List<ConfigBlock> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            out.add(new MapConfigBlock(path + "." + key + "[" + i + "]", (Map<String, ?>) list.get(i), problems));
        }
        return out;
    }

    @Override
    public void error(String key, String message) {
        problems.add(path + "." + key + ": " + message);
    }

    @Override
    public void warn(String key, String message) {
        // a warning does not fail a test's configuration
    }
}
