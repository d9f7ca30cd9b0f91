package dev.cacheproxy.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A YAML-free view of one mapping in the configuration, handed to a mode so that it can read its own
 * block. Implemented by the server over the parsed YAML.
 *
 * <p>Reading never throws: a wrong value is recorded as an error carrying the YAML path and line
 * ({@code instances[2].npm.upstream (line 14): ...}) and the getter returns empty, so that one run
 * reports every problem. Keys that are never read are reported as unknown when the block is closed
 * by its owner, which is what makes decoding strict.
 *
 * <p>An implementation supplies the raw accessors (scalars, lists, nested blocks, problems); the typed
 * readers are defined here once, so the YAML reader and a test's in-memory block agree on every type.
 */
public interface ConfigBlock {
    /** The YAML path of this block, e.g. {@code instances[0].file}. */
    String path();

    boolean has(String key);

    /** A scalar value after {@code ${VAR}} substitution; empty when absent or null. */
    Optional<String> string(String key);

    /** A string that must be present and non-blank; records an error and returns empty otherwise. */
    Optional<String> requiredString(String key);

    /** A list of strings; a single scalar is an error, a missing key an empty list. */
    List<String> stringList(String key);

    Optional<ConfigBlock> block(String key);

    List<ConfigBlock> blockList(String key);

    /** Records a problem with {@code key} of this block (its line is found from the key). */
    void error(String key, String message);

    /**
     * Records a warning about {@code key}: the configuration is valid, but the key does not do there what
     * its name suggests (a documented key of the Go project that our model serves differently).
     * {@code -validate} prints warnings; the server logs them once at start.
     */
    void warn(String key, String message);

    // ---- typed readers: one meaning for every implementation, all in terms of string() and error() ----

    default Optional<Boolean> bool(String key) {
        return typed(key, "a boolean (true or false)", s -> switch (s.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException();
        });
    }

    default Optional<Integer> integer(String key) {
        return typed(key, "a whole number", Integer::parseInt);
    }

    /** A non-negative decimal number ({@code 0.3}, {@code 8}). */
    default Optional<Double> number(String key) {
        return typed(key, "a number", s -> {
            if (!s.matches("\\d+(\\.\\d+)?")) {
                throw new IllegalArgumentException();
            }
            return Double.parseDouble(s);
        });
    }

    default Optional<Duration> duration(String key) {
        return typed(key, "a duration", GoDuration::parse);
    }

    default Optional<Expiration> expiration(String key) {
        return typed(key, "an expiration (a duration or never)", Expiration::parse);
    }

    default Optional<Freshness> freshness(String key) {
        return typed(key, "a freshness (a duration or forever)", Freshness::parse);
    }

    /** A value matched case-insensitively against {@code allowed}; returned in lower case. */
    default Optional<String> oneOf(String key, List<String> allowed) {
        return string(key).flatMap(s -> {
            String v = s.trim().toLowerCase(Locale.ROOT);
            if (allowed.contains(v)) {
                return Optional.of(v);
            }
            error(key, "'" + s + "' is not one of " + String.join(", ", allowed));
            return Optional.empty();
        });
    }

    /** An absolute http(s) URL, trailing slashes removed (see {@link HttpUrls#parse}). */
    default Optional<URI> httpUrl(String key) {
        return string(key).flatMap(s -> HttpUrls.parse(s, message -> error(key, message)));
    }

    /** A list of absolute http(s) URLs, trailing slashes removed, duplicates dropped; bad items are reported. */
    default List<URI> httpUrlList(String key) {
        Set<URI> out = new LinkedHashSet<>();
        for (String s : stringList(key)) {
            HttpUrls.parse(s, message -> error(key, message)).ifPresent(out::add);
        }
        return List.copyOf(out);
    }

    /** A scalar parsed by {@code parse}; a failure is reported as "'value' is not {@code expected}". */
    private <T> Optional<T> typed(String key, String expected, Function<String, T> parse) {
        return string(key).flatMap(s -> {
            try {
                return Optional.of(parse.apply(s.trim()));
            } catch (RuntimeException e) {
                String detail = e.getMessage() != null && e.getMessage().startsWith("'") ? e.getMessage()
                        : "'" + s + "' is not " + expected;
                error(key, detail);
                return Optional.empty();
            }
        });
    }
}
