package dev.cacheproxy.modes.linuxrepo;

import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.quota.StorageSpace;
import dev.cacheproxy.core.schedule.Scheduler;
import dev.cacheproxy.core.upstream.UpstreamClient;
import dev.cacheproxy.core.upstream.UpstreamHealth;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps every root's generation fresh: one refresh per root at a time, every {@code refresh_interval}
 * (sooner when the root file's {@code Valid-Until} approaches), at once when a root is discovered or a
 * client starts using an index directory the generation lacks, and with a growing back-off after a
 * failure. A refresh tries the upstreams, healthiest first, and takes the first complete, verified generation;
 * when all fail, the last good generation stays and the root turns suspect.
 *
 * <p>A root's first generation waits for its clients to pause: while packages are being asked for (the
 * client run that discovered the root, or a fleet's), its build -- fetching, decompressing and parsing every
 * index -- would take the CPU and the upstream's bandwidth from them. It starts once no package has been asked
 * of the instance for {@link #CLIENT_PAUSE}, and at the latest {@link #MOST_DEFERRED} after it was due. Until
 * then the root is served from its first contact ({@link LinuxRepoInstance}), and the packages fetched meanwhile
 * are checked against the generation when it is published ({@link #afterRefresh}).
 *
 * <p>Refreshes are planned on the instance's {@link Scheduler} (the server's hands each to a virtual
 * thread; a test's runs them when it moves its clock).
 */
public final class Refresher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Refresher.class);
    /** How long a newly discovered root waits, so the index requests of the same client run are seen first. */
    static final Duration DISCOVERY_SETTLE = Duration.ofSeconds(2);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    /** How long no package must have been asked for before a root's first generation is built. */
    static final Duration CLIENT_PAUSE = Duration.ofSeconds(1);
    /** The longest a first generation waits for that pause once it is due (a fleet that never pauses). */
    static final Duration MOST_DEFERRED = Duration.ofSeconds(15);

    private final String instance;
    private final RepoLayout layout;
    private final LinuxRepoConfig config;
    private final List<Source> upstreams;
    private final RootCatalog catalog;
    private final StateFiles files;
    private final CacheEngine engine;
    private final BlobStore store;
    /** Whether the metadata files of a refresh may be stored now (as a fill's body may). */
    private final StorageSpace space;
    private final InstantSource clock;
    private final CacheEvents events;
    private final Scheduler scheduler;
    private final Map<String, Scheduler.Scheduled> planned = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Set<String> again = ConcurrentHashMap.newKeySet();
    /** When a package was last asked of the instance (epoch millis; see {@link #packageAsked}). */
    private final AtomicLong lastPackageAsked = new AtomicLong(Long.MIN_VALUE);
    /** Root → when its first generation became due and was deferred (see {@link #untilClientsPause}). */
    private final Map<String, Instant> deferredSince = new ConcurrentHashMap<>();
    /** Run after every successful refresh (the instance's check of unlisted packages; see {@link #afterRefresh}). */
    private volatile Consumer<Root> afterRefresh = root -> {};

    /** One upstream a whole generation comes from: its base URL (for logs and the generation record) and client. */
    record Source(String name, UpstreamClient client) {
        /** Its circuit's weight; an open circuit sorts after every other upstream, but is still tried last. */
        double weight() {
            UpstreamClient.BaseHealth h = client.health().get(0);
            return h.state() == UpstreamHealth.State.OPEN ? -1 : h.weight();
        }
    }

    /** The upstreams healthiest first (configured order among equals): a dead mirror is not asked first every time. */
    private static List<Source> byHealth(List<Source> sources) {
        List<Source> out = new ArrayList<>(sources);
        out.sort(Comparator.comparingDouble((Source s) -> -s.weight()));
        return out;
    }

    Refresher(String instance, RepoLayout layout, LinuxRepoConfig config, List<Source> upstreams,
            RootCatalog catalog, StateFiles files, CacheEngine engine, BlobStore store, StorageSpace space,
            InstantSource clock, CacheEvents events, Scheduler scheduler) {
        this.instance = instance;
        this.layout = layout;
        this.config = config;
        this.upstreams = List.copyOf(upstreams);
        this.catalog = catalog;
        this.files = files;
        this.engine = engine;
        this.store = store;
        this.space = space;
        this.clock = clock;
        this.events = events;
        this.scheduler = scheduler;
    }

    /** Plans the first refresh of every restored root: overdue ones soon, the others when due. */
    void start() {
        Instant now = clock.instant();
        for (Root root : catalog.all()) {
            if (root.state() == Root.State.REMOVED) {
                continue;
            }
            Instant last = root.lastSuccess();
            Duration wait = last == null || catalog.published(root.path()).isEmpty() ? DISCOVERY_SETTLE
                    : Duration.between(now, last.plus(config.refreshInterval()));
            schedule(root, wait.compareTo(DISCOVERY_SETTLE) < 0 ? DISCOVERY_SETTLE : wait);
        }
        reportStates();
    }

    /** A root was discovered (or came back): refresh it shortly. */
    void discovered(Root root) {
        catalog.saveSoon();
        reportStates();
        schedule(root, DISCOVERY_SETTLE);
    }

    /**
     * A client asked for the root file of a root without a generation: refresh it within {@link #DISCOVERY_SETTLE},
     * unless a refresh is running (it is the one the client waits for; another right after it would fetch the
     * same files again) or planned sooner.
     */
    void firstGenerationWanted(Root root) {
        if (!running.contains(root.path())) {
            refreshSoon(root, DISCOVERY_SETTLE);
        }
    }

    /** Refresh now (or right after the one running), unless one is planned sooner. */
    void refreshSoon(Root root, Duration within) {
        if (running.contains(root.path())) {
            again.add(root.path());
            return;
        }
        Scheduler.Scheduled next = planned.get(root.path());
        if (next == null || next.remaining().compareTo(within) > 0) {
            schedule(root, within);
        }
    }

    /** A client asked the instance for a package (not served from memory): the first generations wait. */
    void packageAsked() {
        lastPackageAsked.set(clock.millis());
    }

    /**
     * Sets what runs after each successful refresh (a generation published, or the current one found unchanged),
     * once the root's new state is saved; set once, before clients are served.
     */
    void afterRefresh(Consumer<Root> action) {
        this.afterRefresh = action;
    }

    private void schedule(Root root, Duration delay) {
        if (closed) {
            return;
        }
        Scheduler.Scheduled old = planned.put(root.path(), scheduler.schedule(delay, () -> refreshWhenClientsPause(root)));
        if (old != null) {
            old.cancel();
        }
    }

    /** A planned refresh: {@link #refresh} now, unless it is a root's first and its clients have not paused. */
    private void refreshWhenClientsPause(Root root) {
        Duration wait = untilClientsPause(root);
        if (wait.isPositive()) {
            schedule(root, wait);
            return;
        }
        deferredSince.remove(root.path());
        refresh(root);
    }

    /**
     * How much longer a due refresh of {@code root} waits (zero: none): only a root without a generation waits,
     * until no package has been asked for {@link #CLIENT_PAUSE}, for at most {@link #MOST_DEFERRED} in all.
     */
    private Duration untilClientsPause(Root root) {
        if (catalog.published(root.path()).isPresent()) {
            return Duration.ZERO;
        }
        long now = clock.millis();
        long pauseEnds = lastPackageAsked.get() == Long.MIN_VALUE ? now : lastPackageAsked.get() + CLIENT_PAUSE.toMillis();
        if (pauseEnds <= now) {
            return Duration.ZERO;
        }
        Instant since = deferredSince.computeIfAbsent(root.path(), p -> clock.instant());
        long latest = since.plus(MOST_DEFERRED).toEpochMilli();
        return Duration.ofMillis(Math.max(0, Math.min(pauseEnds, latest) - now));
    }

    /** One refresh of {@code root}, on the calling thread; skipped when one is already running. */
    void refresh(Root root) {
        if (root.state() == Root.State.REMOVED || !running.add(root.path())) {
            return;
        }
        Instant start = clock.instant();
        Duration next = config.refreshInterval();
        try {
            root.attempted(start);
            RefreshException last = null;
            for (Source upstream : byHealth(upstreams)) {
                String name = upstream.name();
                Fetcher fetcher = new Fetcher(upstream.client(), name, store, space, clock, start.plus(config.refreshTimeout()));
                ArtifactListing.Builder listing = new ArtifactListing.Builder();
                try {
                    GenerationDraft draft = layout.build(root.path(), root.wantedIndexDirs(), fetcher, listing);
                    publishOrKeep(root, draft, listing, fetcher, start);
                    root.succeeded(clock.instant());
                    last = null;
                    next = untilValidUntilNears(root, next);
                    break;
                } catch (RefreshException e) {
                    last = e;
                    LOG.info("[{}] refresh of {} from {} failed: {}", instance, display(root), name, e.getMessage());
                } catch (IOException | RuntimeException e) {
                    last = RefreshException.transientFailure(name + ": " + e);
                    LOG.warn("[{}] refresh of {} from {} failed", instance, display(root), name, e);
                }
            }
            if (last != null) {
                Root.State state = root.failed(last, clock.instant());
                events.repositoryRefreshed(instance, "failed");
                if (state == Root.State.REMOVED) {
                    LOG.warn("[{}] root {} removed: its metadata has not been found upstream {} times ({})", instance,
                            display(root), root.failures(), last.getMessage());
                    catalog.drop(root.path());
                } else {
                    LOG.warn("[{}] root {} is suspect ({} failed refresh(es)); {}: {}", instance, display(root),
                            root.failures(), catalog.published(root.path()).isPresent()
                                    ? "serving its last good generation" : "no generation yet, passing through",
                            last.getMessage());
                }
                next = backoff(root.failures());
            }
            catalog.save();
            reportStates();
            if (last == null) {
                // after the root's state is saved: the check reads and rewrites entries, and may take a while
                afterRefresh.accept(root);
            }
        } finally {
            running.remove(root.path());
            if (root.state() != Root.State.REMOVED && !closed) {
                schedule(root, again.remove(root.path()) ? Duration.ZERO : next);
            }
        }
    }

    private void publishOrKeep(Root root, GenerationDraft draft, ArtifactListing.Builder listing, Fetcher fetcher,
            Instant start) throws IOException {
        Instant now = clock.instant();
        String id = Long.toString(now.getEpochSecond() * 1_000_000_000L + now.getNano(), 36);
        Generation candidate = draft.toGeneration(id, root.path(), fetcher.upstreamName(), now, listing.size());
        Generation current = catalog.published(root.path()).map(RootCatalog.Published::generation).orElse(null);
        if (candidate.sameContentAs(current)) {
            events.repositoryRefreshed(instance, "unchanged");
            LOG.debug("[{}] {} unchanged (generation {})", instance, display(root), current.id());
            return;
        }
        for (Generation.FileRef f : candidate.files().values()) {
            LinuxRepoInstance.adoptRefreshed(engine, Digest.sha256(f.sha256()), f.headers());
        }
        Path listingFile = files.listingFile(root.path(), id);
        Generation g = candidate.withArtifacts(files.writeListing(listing, listingFile));
        files.publish(g);
        catalog.install(new RootCatalog.Published(g, ArtifactListing.open(listingFile)));
        files.deleteOtherListings(root.path(), id);
        events.repositoryRefreshed(instance, "published");
        LOG.info("[{}] {}: published generation {} from {} ({} metadata files, {} packages listed, {} bytes fetched, {} ms)",
                instance, display(root), id, fetcher.upstreamName(), g.files().size(), g.artifacts(), fetcher.bytesFetched(),
                Duration.between(start, now).toMillis());
    }

    /** Refresh earlier than the interval when the root file's Valid-Until would pass before it (pitfall D3). */
    private Duration untilValidUntilNears(Root root, Duration interval) {
        Instant validUntil = catalog.published(root.path()).map(p -> p.generation().validUntil()).orElse(null);
        if (validUntil == null) {
            return interval;
        }
        Duration half = Duration.between(clock.instant(), validUntil).dividedBy(2);
        Duration floor = Duration.ofMinutes(1);
        return half.compareTo(interval) < 0 ? (half.compareTo(floor) < 0 ? floor : half) : interval;
    }

    private Duration backoff(int failures) {
        Duration d = FIRST_RETRY.multipliedBy(1L << Math.min(10, Math.max(0, failures - 1)));
        return d.compareTo(config.refreshInterval()) < 0 ? d : config.refreshInterval();
    }

    private void reportStates() {
        Map<Root.State, Integer> counts = new EnumMap<>(Root.State.class);
        for (Root.State s : Root.State.values()) {
            counts.put(s, 0);
        }
        catalog.all().forEach(r -> counts.merge(r.state(), 1, Integer::sum));
        counts.forEach((s, n) -> events.repositoryRoots(instance, s.name().toLowerCase(Locale.ROOT), n));
    }

    static String display(Root root) {
        return "/" + root.path();
    }

    @Override
    public void close() {
        closed = true;
        planned.values().forEach(Scheduler.Scheduled::cancel);
        scheduler.close();
        catalog.flush();
    }
}
