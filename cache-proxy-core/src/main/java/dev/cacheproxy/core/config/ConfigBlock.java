package dev.cacheproxy.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A YAML-free view of one mapping in the configuration, handed to a mode so that it can read its own
 * block. Implemented by the server over the parsed YAML.
 *
 * <p>Reading never throws: a wrong value is recorded as an error carrying the YAML path and line
 * ({@code instances[2].npm.upstream (line 14): ...}) and the getter returns empty, so that one run
 * reports every problem. Keys that are never read are reported as unknown when the block is closed
 * by its owner, which is what makes decoding strict.
 */
public interface ConfigBlock {
    /** The YAML path of this block, e.g. {@code instances[0].file}. */
    String path();

    boolean has(String key);

    Optional<String> string(String key);

    /** A string that must be present and non-blank; records an error and returns empty otherwise. */
    Optional<String> requiredString(String key);

    Optional<Boolean> bool(String key);

    Optional<Integer> integer(String key);

    /** A list of strings; a single scalar is an error, a missing key an empty list. */
    List<String> stringList(String key);

    Optional<Duration> duration(String key);

    Optional<Expiration> expiration(String key);

    Optional<Freshness> freshness(String key);

    /** A value matched case-insensitively against {@code allowed}; returned in lower case. */
    Optional<String> oneOf(String key, List<String> allowed);

    /** An absolute http(s) URL, trailing slashes removed. */
    Optional<URI> httpUrl(String key);

    /** A list of absolute http(s) URLs, trailing slashes removed, duplicates dropped; bad items are reported. */
    List<URI> httpUrlList(String key);

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
}
