package dev.cacheproxy.modes.nix;

import dev.cacheproxy.core.cache.HostedStore;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.index.CacheEntry;
import dev.cacheproxy.core.index.EntryIndex;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Garbage collection of pushed paths by GC roots, as kiss-cache prunes: writers {@code PUT} marker files under
 * {@code gcroots/<name>} naming store paths; a run keeps the closure (through {@code References:}) of every
 * rooted path and of every path pushed within the grace period, and removes the other narinfos, then the NARs
 * no remaining narinfo names (pushed or pulled) that are older than the grace period. Narinfos go before
 * NARs and a kept path's references are kept with it, so a reader never finds a narinfo whose NAR or
 * references are gone. Pulled narinfos are left to {@code expire_after}.
 */
final class ClosureCollector {
    private static final Logger LOG = LoggerFactory.getLogger(ClosureCollector.class);
    static final String ROOTS = "gcroots/";

    private final String instance;
    private final HostedStore pushed;
    private final EntryIndex index;
    private final Duration grace;
    private final InstantSource clock;
    private final CacheEvents events;
    private volatile Outcome last;

    /** What one run found and did. */
    record Outcome(Instant at, int roots, int kept, int removedNarinfos, int removedNars) {}

    ClosureCollector(String instance, HostedStore pushed, EntryIndex index, Duration grace, InstantSource clock,
            CacheEvents events) {
        this.instance = instance;
        this.pushed = pushed;
        this.index = index;
        this.grace = grace;
        this.clock = clock;
        this.events = events;
    }

    /** One run (at most {@code batchSize} removals; a dry run only logs); returns how many entries went. */
    int run(int batchSize, boolean dryRun) throws IOException {
        Instant now = clock.instant();
        Instant youngSince = now.minus(grace);
        Map<String, CacheEntry> narinfos = new HashMap<>(); // pushed, by hash part
        List<CacheEntry> nars = new ArrayList<>();
        List<CacheEntry> pulled = new ArrayList<>();
        List<CacheEntry> roots = new ArrayList<>();
        index.forEachStored(e -> {
            String k = e.key();
            if (k.startsWith(ROOTS)) {
                roots.add(e);
            } else if (k.startsWith("nar/")) {
                nars.add(e);
            } else if (k.startsWith(NixInstance.PULLED)) {
                pulled.add(e);
            } else if (k.endsWith(".narinfo")) {
                narinfos.put(k.substring(0, k.length() - ".narinfo".length()), e);
            }
            return true;
        });
        Deque<String> todo = new ArrayDeque<>();
        for (CacheEntry root : roots) {
            read(root.key()).ifPresent(text -> text.lines().map(String::strip).filter(l -> !l.isEmpty())
                    .map(ClosureCollector::hashPart).flatMap(Optional::stream).forEach(todo::add));
        }
        narinfos.forEach((hash, e) -> {
            if (e.fetchedAt().isAfter(youngSince)) {
                todo.add(hash);
            }
        });
        Set<String> kept = new HashSet<>();
        Set<String> namedNars = new HashSet<>();
        while (!todo.isEmpty()) {
            String hash = todo.pop();
            if (!narinfos.containsKey(hash) || !kept.add(hash)) {
                continue;
            }
            Optional<NarInfo> info = parsed(hash + ".narinfo");
            if (info.isEmpty()) {
                // its references are unknown: removing anything could break a kept closure
                LOG.warn("[{}] GC by roots skipped: {}.narinfo cannot be read (purge it at /-/entries/{})", instance, hash,
                        instance);
                return 0;
            }
            namedNars.add(info.get().url());
            info.get().references().stream().map(ClosureCollector::hashPart).flatMap(Optional::stream).forEach(todo::add);
        }
        for (CacheEntry e : pulled) {
            Optional<NarInfo> info = parsed(e.key());
            if (info.isEmpty()) {
                LOG.warn("[{}] GC by roots skipped: {} cannot be read", instance, e.key());
                return 0;
            }
            namedNars.add(info.get().url());
        }
        int removedInfos = 0;
        int removedNars = 0;
        for (Map.Entry<String, CacheEntry> e : narinfos.entrySet()) {
            if (!kept.contains(e.getKey()) && removedInfos + removedNars < batchSize) {
                remove(e.getValue(), dryRun, "not reachable from a GC root");
                removedInfos++;
            }
        }
        for (CacheEntry nar : nars) {
            if (!namedNars.contains(nar.key()) && !nar.fetchedAt().isAfter(youngSince) && removedInfos + removedNars < batchSize) {
                remove(nar, dryRun, "named by no narinfo");
                removedNars++;
            }
        }
        last = new Outcome(now, roots.size(), kept.size(), removedInfos, removedNars);
        if (!dryRun) {
            events.collected(instance, removedInfos + removedNars);
        }
        if (removedInfos + removedNars > 0 || !roots.isEmpty()) {
            LOG.info("[{}] GC by roots{}: {} root(s), {} path(s) kept, {} narinfo(s) and {} NAR(s) removed", instance,
                    dryRun ? " (dry run)" : "", roots.size(), kept.size(), removedInfos, removedNars);
        }
        return removedInfos + removedNars;
    }

    /** The last run, or null before the first. */
    Outcome last() {
        return last;
    }

    private void remove(CacheEntry e, boolean dryRun, String why) throws IOException {
        if (dryRun) {
            LOG.info("[{}] GC by roots (dry run) would remove {}: {}", instance, e.key(), why);
        } else {
            index.remove(e.key());
        }
    }

    private Optional<NarInfo> parsed(String key) {
        try {
            Optional<String> text = read(key);
            return text.isEmpty() ? Optional.empty() : Optional.of(NarInfo.parse(text.get()));
        } catch (NarInfo.Invalid e) {
            return Optional.empty();
        }
    }

    private Optional<String> read(String key) {
        try {
            Optional<InputStream> in = pushed.open(key);
            if (in.isEmpty()) {
                return Optional.empty();
            }
            try (InputStream s = in.get()) {
                return Optional.of(new String(s.readNBytes(NixInstance.MAX_NARINFO), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            LOG.warn("[{}] GC by roots could not read {}: {}", instance, key, e.toString());
            return Optional.empty();
        }
    }

    /** The hash part of a store path ({@code /nix/store/<hash>-name}) or of a reference ({@code <hash>-name}). */
    static Optional<String> hashPart(String path) {
        String base = path.substring(path.lastIndexOf('/') + 1);
        if (base.length() < 33 || base.charAt(32) != '-') {
            return Optional.empty();
        }
        String hash = base.substring(0, 32);
        return NixBase32.isStorePathHash(hash) ? Optional.of(hash) : Optional.empty();
    }
}
