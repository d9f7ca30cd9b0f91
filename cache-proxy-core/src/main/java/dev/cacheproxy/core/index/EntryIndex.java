package dev.cacheproxy.core.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.digest.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entries of one instance: a JSON document per key in an {@link EntryStore} (files under
 * {@code index/<instance>/ab/<sha256(key)>.json}, or objects in a shared bucket), in front of which sits
 * the {@link HotEntries} every instance shares (hits and, for a store of this node's own, known absences) so
 * that a hot hit reads no metadata and writes nothing.
 *
 * <p>Methods block on I/O on a cold key: call them from virtual threads.
 */
public final class EntryIndex {
    private static final Logger LOG = LoggerFactory.getLogger(EntryIndex.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String instance;
    private final EntryStore store;
    private final HotEntries hot;
    private final EntryUsage usage;
    private final InstantSource clock;
    private final List<Consumer<Predicate<String>>> missListeners = new CopyOnWriteArrayList<>();

    /**
     * An index of its own in files under {@code indexRoot}, outside any quota (tests, tools): its use
     * table is never read, so its times are not kept.
     */
    public EntryIndex(Path indexRoot, String instance, Path tmpDir, long maxHotEntries) {
        this(new FileEntryStore(indexRoot, tmpDir), instance, HotEntries.ofEntries(maxHotEntries), new EntryUsage(),
                InstantSource.fixed(Instant.EPOCH));
    }

    /** An index over files under {@code indexRoot} with a hot index of its own of {@code maxHotEntries} (tests). */
    public EntryIndex(Path indexRoot, String instance, Path tmpDir, long maxHotEntries, EntryUsage usage,
            InstantSource clock) {
        this(new FileEntryStore(indexRoot, tmpDir), instance, HotEntries.ofEntries(maxHotEntries), usage, clock);
    }

    /** An index in {@code store} with a hot index of its own of {@code maxHotEntries} (tests). */
    public EntryIndex(EntryStore store, String instance, long maxHotEntries, EntryUsage usage, InstantSource clock) {
        this(store, instance, HotEntries.ofEntries(maxHotEntries), usage, clock);
    }

    /**
     * The index of {@code instance} in {@code store}, keeping what is hot in {@code hot} (shared by the
     * instances of a server) and reporting every store, use and removal to {@code usage} (the quota's table).
     */
    public EntryIndex(EntryStore store, String instance, HotEntries hot, EntryUsage usage, InstantSource clock) {
        this.instance = instance;
        this.store = store;
        this.hot = hot;
        this.usage = usage;
        this.clock = clock;
        usage.attach(instance, new EntryUsage.Removal() {
            @Override
            public void remove(String key) throws IOException {
                EntryIndex.this.remove(key);
            }

            @Override
            public void removeNamed(String name) throws IOException {
                store.delete(instance, name);
                EntryIndex.this.hot.forgetNamed(instance, keyDigestOf(name));
                usage.removedNamed(instance, name);
            }

            @Override
            public void forgetMisses(Predicate<String> keys) {
                EntryIndex.this.forgetMisses(keys);
            }
        });
    }

    /**
     * Registers what to do when the instance's remembered misses are to be forgotten (a purge): the
     * engines over this index drop their remembered 404s for those keys.
     */
    public void onForgetMisses(Consumer<Predicate<String>> listener) {
        missListeners.add(listener);
    }

    /** Tells every engine over this index to forget its remembered misses for the keys {@code keys} accepts. */
    public void forgetMisses(Predicate<String> keys) {
        missListeners.forEach(l -> l.accept(keys));
    }

    public Optional<CacheEntry> get(String key) {
        Optional<CacheEntry> known = hot.get(instance, key);
        if (known != null && (known.isPresent() || !store.shared())) {
            return known;
        }
        // Not known, or known absent in a store other nodes fill too: look again (a miss is about to
        // ask the upstream anyway; one read of the shared store is cheaper, and spares the upstream).
        Optional<CacheEntry> loaded = load(key);
        if (loaded.isPresent() || !store.shared()) {
            hot.put(instance, key, loaded);
        }
        return loaded;
    }

    /**
     * The entry if the hot index holds it, without touching the store; empty when it does not (the key
     * may still be stored). Safe on an event loop.
     */
    public Optional<CacheEntry> getIfHot(String key) {
        Optional<CacheEntry> known = hot.get(instance, key);
        return known == null ? Optional.empty() : known;
    }

    public void put(CacheEntry entry) throws IOException {
        store.write(instance, nameOf(entry.key()), serialize(entry));
        hot.put(instance, entry.key(), Optional.of(entry));
        usage.stored(instance, entry, clock.millis());
    }

    /**
     * Records that {@code entry} was served at {@code nowMillis}, in memory only (the size quota evicts the
     * least recently used; {@link UsageScan#flush} writes it down later). Safe on an event loop.
     */
    public void used(CacheEntry entry, long nowMillis) {
        usage.used(instance, entry, nowMillis);
    }

    /**
     * Records a renewed validation time in memory only: losing it in a crash costs one extra
     * conditional request, which is cheaper than a write per revalidation.
     */
    public void touchValidated(CacheEntry renewed) {
        hot.put(instance, renewed.key(), Optional.of(renewed));
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
        store.delete(instance, nameOf(key));
        hot.put(instance, key, Optional.empty());
        usage.removed(instance, key);
    }

    /**
     * Visits every stored entry of this instance until {@code visitor} returns false; an entry the hot
     * index holds is given in its newer in-memory state (revalidation times are kept only there).
     * Unreadable documents are skipped with a warning. Blocks on I/O.
     */
    public void forEachStored(Predicate<CacheEntry> visitor) throws IOException {
        store.forEach(instance, (inst, name, bytes, lastUsed) -> {
            Optional<CacheEntry> e = readQuietly(name, bytes);
            return e.isEmpty() || visitor.test(getIfHot(e.get().key()).orElse(e.get()));
        });
    }

    /**
     * Removes the stored entries {@code doomed} selects, at most {@code batchSize} (expiry and retention);
     * a dry run only logs what it would remove. Returns how many were (or would be) removed. Blocks on I/O.
     */
    public int removeWhere(Predicate<CacheEntry> doomed, int batchSize, boolean dryRun, String why) throws IOException {
        int[] removed = {0};
        IOException[] failed = {null};
        forEachStored(e -> {
            if (!doomed.test(e)) {
                return true;
            }
            if (dryRun) {
                LOG.info("[{}] {} (dry run) would remove {}", instance, why, e.key());
            } else {
                try {
                    remove(e.key());
                } catch (IOException ex) {
                    failed[0] = ex;
                    return false;
                }
            }
            return ++removed[0] < batchSize;
        });
        if (failed[0] != null) {
            throw failed[0];
        }
        return removed[0];
    }

    /** The stored name of {@code key}'s entry: {@code ab/<sha256(key)>.json}. */
    public static String nameOf(String key) {
        return nameOf(CacheEntry.digestOfKey(key));
    }

    /** The stored name of the entry whose key has the SHA-256 {@code keyDigest}. */
    static String nameOf(byte[] keyDigest) {
        String h = HexFormat.of().formatHex(keyDigest);
        return h.substring(0, 2) + "/" + h + ".json";
    }

    /** The SHA-256 of the key a stored name ({@link #nameOf}) was made from. */
    static byte[] keyDigestOf(String name) {
        int slash = name.lastIndexOf('/');
        int dot = name.lastIndexOf('.');
        if (slash < 0 || dot != slash + 65) {
            throw new IllegalArgumentException("not the name of an index entry: " + name);
        }
        return HexFormat.of().parseHex(name, slash + 1, dot);
    }

    /** A stored document as an entry (blob GC, the admin's browse and purge), or empty when it cannot be read. */
    public static Optional<CacheEntry> entryOf(String name, byte[] document) {
        return readQuietly(name, document);
    }

    static Optional<CacheEntry> readQuietly(String name, byte[] bytes) {
        try {
            return Optional.of(deserialize(bytes));
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring unreadable index entry {}: {}", name, e.toString());
            return Optional.empty();
        }
    }

    private Optional<CacheEntry> load(String key) {
        String name = nameOf(key);
        Optional<byte[]> bytes;
        try {
            bytes = store.read(instance, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            CacheEntry e = deserialize(bytes.get());
            return e.key().equals(key) ? Optional.of(e) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring corrupt index entry {} of {}: {}", name, instance, e.toString());
            return Optional.empty();
        }
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
