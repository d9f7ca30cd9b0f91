package dev.cacheproxy.core.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.io.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entries of one instance: a JSON file per key under {@code index/<instance>/ab/<sha256(key)>.json},
 * written atomically (temp file, fsync, rename), in front of which sits a bounded in-memory cache
 * (hits and known absences) so that a hot hit reads no metadata from disk and writes nothing.
 *
 * <p>Methods block on disk I/O on a cold key: call them from virtual threads.
 */
public final class EntryIndex {
    private static final Logger LOG = LoggerFactory.getLogger(EntryIndex.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String instance;
    private final Path dir;
    private final Path tmp;
    private final Cache<String, Optional<CacheEntry>> hot;
    private final EntryUsage usage;
    private final InstantSource clock;

    /** An index of its own, outside any quota (tests, tools). */
    public EntryIndex(Path indexRoot, String instance, Path tmpDir, long maxHotEntries) {
        this(indexRoot, instance, tmpDir, maxHotEntries, new EntryUsage(), InstantSource.system());
    }

    /** The index of {@code instance}, reporting every store, use and removal to {@code usage} (the quota's table). */
    public EntryIndex(Path indexRoot, String instance, Path tmpDir, long maxHotEntries, EntryUsage usage,
            InstantSource clock) {
        this.clock = clock;
        this.instance = instance;
        this.dir = indexRoot.resolve(instance);
        this.tmp = tmpDir;
        this.hot = Caffeine.newBuilder().maximumSize(maxHotEntries).build();
        this.usage = usage;
        usage.attach(instance, this::remove);
    }

    public Optional<CacheEntry> get(String key) {
        return hot.get(key, this::load);
    }

    /**
     * The entry if the hot index holds it, without touching the disk; empty when it does not (the key
     * may still be on disk). Safe on an event loop.
     */
    public Optional<CacheEntry> getIfHot(String key) {
        Optional<CacheEntry> known = hot.getIfPresent(key);
        return known == null ? Optional.empty() : known;
    }

    public void put(CacheEntry entry) throws IOException {
        byte[] bytes = serialize(entry);
        AtomicFiles.write(fileOf(entry.key()), tmp, temp -> Files.write(temp, bytes));
        hot.put(entry.key(), Optional.of(entry));
        usage.stored(instance, entry, clock.millis());
    }

    /**
     * Records that the entry of {@code key} was served at {@code nowMillis}, in memory only (the size
     * quota evicts the least recently used; {@link UsageScan#flush} writes it down later). Safe on an
     * event loop.
     */
    public void used(String key, long nowMillis) {
        usage.used(instance, key, nowMillis);
    }

    /**
     * Records a renewed validation time in memory only: losing it in a crash costs one extra
     * conditional request, which is cheaper than a disk write per revalidation.
     */
    public void touchValidated(CacheEntry renewed) {
        hot.put(renewed.key(), Optional.of(renewed));
    }

    /** Removes the entry of {@code key}; a failure is logged, not thrown (the entry is refetched next time anyway). */
    public void forget(String key) {
        try {
            remove(key);
        } catch (IOException e) {
            LOG.warn("could not remove the index entry of {}: {}", key, e.toString());
        }
    }

    public void remove(String key) throws IOException {
        Files.deleteIfExists(fileOf(key));
        hot.put(key, Optional.empty());
        usage.removed(instance, key);
    }

    /**
     * Removes the entry file of {@code key} of an instance that has no live index (configured but
     * disabled): the size quota evicts those too.
     */
    public static void removeFile(Path indexRoot, String instance, String key) throws IOException {
        Files.deleteIfExists(fileOf(indexRoot, instance, key));
    }

    /**
     * Every entry of this instance on disk, for maintenance; an entry the hot index holds is given in
     * its newer in-memory state (revalidation times are kept only there). Lazy: close the stream.
     * Blocks on disk I/O.
     */
    public Stream<CacheEntry> entriesOnDisk() throws IOException {
        return entriesUnder(dir).map(e -> getIfHot(e.key()).orElse(e));
    }

    /**
     * Every entry of every instance under {@code indexRoot}, including instances that are configured
     * but disabled (their blobs are still theirs). For blob GC. Lazy: close the stream.
     */
    public static Stream<CacheEntry> entriesUnder(Path root) throws IOException {
        if (!Files.isDirectory(root)) {
            return Stream.empty();
        }
        return Files.walk(root)
                .filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
                .flatMap(p -> readQuietly(p).stream());
    }

    static Optional<CacheEntry> readQuietly(Path file) {
        try {
            return Optional.of(deserialize(Files.readAllBytes(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty(); // removed while we walked
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring unreadable index entry {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    private Optional<CacheEntry> load(String key) {
        Path file = fileOf(key);
        try {
            CacheEntry e = deserialize(Files.readAllBytes(file));
            return e.key().equals(key) ? Optional.of(e) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            LOG.warn("ignoring corrupt index entry {}: {}", file, e.toString());
            return Optional.empty();
        }
    }

    Path fileOf(String key) {
        return fileOf(dir, key);
    }

    static Path fileOf(Path indexRoot, String instance, String key) {
        return fileOf(indexRoot.resolve(instance), key);
    }

    private static Path fileOf(Path instanceDir, String key) {
        String h = Digest.sha256Of(key).hex();
        return instanceDir.resolve(h.substring(0, 2)).resolve(h + ".json");
    }

    static byte[] serialize(CacheEntry e) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("key", e.key());
        n.put("blob", e.blob().toString());
        n.put("size", e.size());
        ObjectNode h = n.putObject("headers");
        new TreeMap<>(e.headers()).forEach(h::put);
        n.put("fetched_at", e.fetchedAt().toString());
        n.put("validated_at", e.validatedAt().toString());
        if (e.verified()) {
            n.put("verified", true);
        }
        return JSON.writeValueAsBytes(n);
    }

    static CacheEntry deserialize(byte[] bytes) throws IOException {
        JsonNode n = JSON.readTree(new String(bytes, StandardCharsets.UTF_8));
        Map<String, String> headers = new TreeMap<>();
        n.get("headers").fields().forEachRemaining(f -> headers.put(f.getKey(), f.getValue().asText()));
        return new CacheEntry(n.get("key").asText(), Digest.parse(n.get("blob").asText()), n.get("size").asLong(),
                headers, Instant.parse(n.get("fetched_at").asText()), Instant.parse(n.get("validated_at").asText()),
                n.path("verified").asBoolean(false));
    }
}
