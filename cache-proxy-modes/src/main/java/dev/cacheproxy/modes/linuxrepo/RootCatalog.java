package dev.cacheproxy.modes.linuxrepo;

import java.io.IOException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The roots of one instance and the generation each currently serves (with its package listing). Reads
 * are lock-free map lookups; a publish swaps one root's entry. Root health is persisted on every change.
 */
public final class RootCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(RootCatalog.class);

    /** A root's current generation and its opened package listing. */
    public record Published(Generation generation, ArtifactListing listing) {}

    private final String instance;
    private final StateFiles files;
    private final Map<String, Root> roots = new ConcurrentHashMap<>();
    private final Map<String, Published> published = new ConcurrentHashMap<>();
    private final AtomicBoolean saveWanted = new AtomicBoolean();

    public RootCatalog(String instance, StateFiles files) {
        this.instance = instance;
        this.files = files;
    }

    /** Restores the roots and their current generations from the state directory. */
    public void restore() throws IOException {
        for (Root.Snapshot s : files.loadRoots()) {
            if (!isSafePath(s.path())) {
                // written by an older version that let an encoded slash smuggle dot segments into a root
                LOG.warn("[{}] dropping a stored repository root that is not a plain path below the upstream", instance);
                continue;
            }
            Root root = Root.restore(s);
            roots.put(root.path(), root);
            if (root.state() == Root.State.REMOVED) {
                continue;
            }
            try {
                Optional<Generation> g = files.current(root.path());
                if (g.isPresent()) {
                    published.put(root.path(), new Published(g.get(),
                            ArtifactListing.open(files.listingFile(root.path(), g.get().id()))));
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("[{}] root {}: its last generation could not be restored ({}); it will be refetched",
                        instance, root.path(), e.toString());
            }
        }
    }

    /** Whether a root path is plain segments below the mount: none empty, {@code .}, {@code ..} or with a backslash. */
    static boolean isSafePath(String path) {
        if (path.isEmpty()) {
            return true; // a flat repository at the mount itself
        }
        for (String seg : path.split("/", -1)) {
            if (seg.isEmpty() || seg.equals(".") || seg.equals("..") || seg.indexOf('\\') >= 0 || seg.indexOf('\0') >= 0) {
                return false;
            }
        }
        return true;
    }

    public Optional<Root> root(String path) {
        return Optional.ofNullable(roots.get(path));
    }

    /** The root at {@code path}, registered if it is new; the boolean says whether it was. */
    public Map.Entry<Root, Boolean> discover(String path) {
        Root fresh = new Root(path);
        Root known = roots.putIfAbsent(path, fresh);
        return known == null ? Map.entry(fresh, true) : Map.entry(known, known.rediscovered());
    }

    /** The known root whose path is the longest prefix (whole segments) of {@code path}. */
    public Optional<Root> rootContaining(String path) {
        return roots.values().stream()
                .filter(r -> r.state() != Root.State.REMOVED && isBelow(path, r.path()))
                .max(Comparator.comparingInt(r -> r.path().length()));
    }

    public List<Root> all() {
        return roots.values().stream().sorted(Comparator.comparing(Root::path)).toList();
    }

    public Optional<Published> published(String rootPath) {
        return Optional.ofNullable(published.get(rootPath));
    }

    public List<Published> allPublished() {
        return List.copyOf(published.values());
    }

    void install(Published p) {
        published.put(p.generation().rootPath(), p);
    }

    void drop(String rootPath) {
        published.remove(rootPath);
    }

    /** Saves every root's health; a failure is logged (the next change tries again). */
    synchronized void save() {
        saveWanted.set(false); // this save covers whatever asked for one before it
        try {
            files.saveRoots(all().stream().map(Root::snapshot).toList());
        } catch (IOException e) {
            LOG.warn("[{}] could not save the repository roots: {}", instance, e.toString());
        }
    }

    /**
     * Saves soon, on a virtual thread of its own, for a caller that is serving a client: a root discovered or an
     * index directory first asked for. The roots' file is bookkeeping the client does not wait for (each save
     * is a write and two fsyncs, and apt's first {@code update} through a new proxy made seven of them one after
     * the other before its files were served: issue 20). Calls made before the save starts share it. A save
     * lost to a crash costs a root's rediscovery at its next request; its first-contact files are in the store.
     */
    void saveSoon() {
        if (saveWanted.compareAndSet(false, true)) {
            Thread.ofVirtual().name("save-roots-" + instance).start(this::flush);
        }
    }

    /**
     * Saves now if a {@link #saveSoon} has not been done yet (when the instance closes); returns once any save
     * under way has ended.
     */
    synchronized void flush() {
        if (saveWanted.get()) {
            save();
        }
    }

    static boolean isBelow(String path, String rootPath) {
        return rootPath.isEmpty() || path.equals(rootPath) || path.startsWith(rootPath + "/");
    }
}
