package dev.cacheproxy.modes.linuxrepo;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.cacheproxy.core.blob.BlobFile;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CacheEngine;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRequest;
import dev.cacheproxy.core.cache.ContentCheck;
import dev.cacheproxy.core.cache.FileCheck;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.digest.Digest;
import dev.cacheproxy.core.digest.DigestAlgorithm;
import dev.cacheproxy.core.http.Headers;
import dev.cacheproxy.core.http.ProxyRequest;
import dev.cacheproxy.core.http.ProxyResponse;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.RootStatus;
import dev.cacheproxy.core.mode.Route;
import dev.cacheproxy.core.upstream.UpstreamRequest;
import dev.cacheproxy.core.upstream.UpstreamProber;
import dev.cacheproxy.core.upstream.UpstreamTransport;
import dev.cacheproxy.core.upstream.UpstreamUrls;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Linux repository instance. Serving rules, in order:
 *
 * <ol>
 *   <li>metadata a root's current generation holds (InRelease, Release, Release.gpg, the indexes clients
 *       use) is served from it, never from the upstream: a client always sees one consistent set;</li>
 *   <li>any other file the generation's root file lists with a hash (other compressions, translations)
 *       is served by that hash: from the store, else fetched by hash and verified;</li>
 *   <li>{@code by-hash} paths are content-addressed: immutable, verified against their own name, shared by
 *       every root and instance (a generation's files answer them without an upstream request);</li>
 *   <li>the root file of a root without a generation is passed through, and discovers the root (a
 *       refresh follows at once); index requests tell which index directories clients use;</li>
 *   <li>packages are keyed by path, verified against the SHA-256 an index lists, kept across refreshes; one
 *       no generation lists yet (the root's first client run) is checked once one does, and dropped if it
 *       does not match ({@link #checkUnlisted});</li>
 *   <li>auxiliary files get the {@code auxiliary_*} policy; unknown paths are passed through.</li>
 * </ol>
 */
public final class LinuxRepoInstance implements ModeInstance {
    private static final Logger LOG = LoggerFactory.getLogger(LinuxRepoInstance.class);
    /** Content-addressed files: never stale, never expired on read (expiry cleanup decides, see removeExpired). */
    private static final CacheRule CONTENT_RULE =
            new CacheRule(CachePolicy.IMMUTABLE, Freshness.FOREVER, BusyPolicy.BYPASS, Expiration.never());
    /** How long a content-addressed file no current generation refers to is kept (in-flight clients). */
    private static final Duration UNREFERENCED_CONTENT_LIFE = Duration.ofHours(1);
    private static final String ARTIFACT = "a/";
    private static final String AUXILIARY = "x/";
    /** Root files a client fetched before the root had a generation (its first contact). */
    private static final String FIRST_CONTACT = "f/";
    /** How long a client keeps the generation it was first served (see {@link #servingGeneration}). */
    private static final int PIN_SECONDS = 10;
    /**
     * The longest a pin is kept for a client that never asks for a root file again (well inside the hour an
     * unreferenced generation's content is kept).
     */
    private static final Duration PIN_LIMIT = Duration.ofMinutes(10);
    /** Probe targets per upstream: enough to notice an upstream, few enough to stay a trickle. */
    private static final int MAX_PROBE_TARGETS = 8;
    /** Packages served while no generation listed them, remembered for {@link #checkUnlisted}: at most this many. */
    private static final int MAX_UNLISTED = 50_000;

    private final String name;
    private final RepoLayout layout;
    private final LinuxRepoConfig config;
    private final CacheEngine engine;
    private final RootCatalog catalog;
    private final Refresher refresher;
    private final InstantSource clock;
    /** Client and root → the generation that client is being served (see {@link #servingGeneration}). */
    private final Cache<String, Pin> pins = Caffeine.newBuilder().expireAfterWrite(PIN_LIMIT).maximumSize(100_000).build();

    /** The generation a client was given, and when. */
    private record Pin(Generation generation, java.time.Instant at) {}
    /** This instance's active probe jobs, removed when it closes. */
    private final List<AutoCloseable> probes;
    /** Paths of packages served while no published listing named them (see {@link #checkUnlisted}). */
    private final Set<String> unlisted = ConcurrentHashMap.newKeySet();
    /**
     * What a first-contact root file lists, by the root file's path and SHA-256: parsed once, not once per index
     * request (a Debian InRelease lists thousands of files; apt asks for a dozen of them at first contact).
     */
    private final Cache<String, Map<String, String>> firstContactListings = Caffeine.newBuilder().maximumSize(64).build();
    private final BlobStore store;

    LinuxRepoInstance(String name, RepoLayout layout, LinuxRepoConfig config, CacheEngine engine, BlobStore store,
            RootCatalog catalog, Refresher refresher, InstantSource clock, List<AutoCloseable> probes) {
        this.store = store;
        this.probes = List.copyOf(probes);
        this.clock = clock;
        this.name = name;
        this.layout = layout;
        this.config = config;
        this.engine = engine;
        this.catalog = catalog;
        this.refresher = refresher;
    }

    /** Builds an instance of {@code layout}, restores its roots and generations and starts refreshing. */
    public static LinuxRepoInstance create(String name, RepoLayout layout, LinuxRepoConfig config, ModeContext context) {
        CacheEngine engine = context.engine(name, config.basics());
        List<Refresher.Source> sources = new ArrayList<>();
        for (URI base : config.basics().upstreams()) {
            sources.add(new Refresher.Source(UpstreamUrls.display(base), context.upstream(name, List.of(base), config.transport())));
        }
        StateFiles files = new StateFiles(context.stateDir(name));
        RootCatalog catalog = new RootCatalog(name, files);
        try {
            catalog.restore();
        } catch (IOException | RuntimeException e) {
            LOG.warn("[{}] could not restore the repository roots ({}); they will be discovered again", name, e.toString());
        }
        Refresher refresher = new Refresher(name, layout, config, sources, catalog, files, engine, context.store(),
                context.space(), context.clock(), context.events(), context.scheduler("refresh-" + name));
        List<AutoCloseable> probes = new ArrayList<>();
        if (config.transport().health().probes()) {
            for (URI base : config.basics().upstreams()) {
                probes.add(context.health().prober().register(probeJob(name, layout, config, catalog, refresher,
                        UpstreamUrls.withoutCredentials(base), context.transports())));
            }
        }
        LinuxRepoInstance instance = new LinuxRepoInstance(name, layout, config, engine, context.store(), catalog,
                refresher, context.clock(), probes);
        refresher.afterRefresh(root -> instance.checkUnlisted());
        refresher.start();
        return instance;
    }

    /**
     * The active probes of one upstream: the probe target of each root in use (at most
     * {@value #MAX_PROBE_TARGETS}, in turn). A root that answers again while its refreshes are failing is
     * refreshed at once instead of after its back-off.
     */
    private static UpstreamProber.Job probeJob(String name, RepoLayout layout, LinuxRepoConfig config, RootCatalog catalog,
            Refresher refresher, URI base, UpstreamTransport.Factory transports) {
        Map<String, Root> byTarget = new ConcurrentHashMap<>();
        return new UpstreamProber.Job(name, base, config.transport(), transports, () -> {
            List<String> targets = new ArrayList<>();
            for (Root r : catalog.all()) {
                if (r.state() == Root.State.REMOVED || targets.size() >= MAX_PROBE_TARGETS) {
                    continue;
                }
                for (String t : layout.probeTargets(r.path())) {
                    String encoded = Fetcher.encode(t);
                    byTarget.put(encoded, r);
                    targets.add(encoded);
                }
            }
            return targets;
        }, (target, status) -> {
            Root r = byTarget.get(target);
            if (r != null && status >= 200 && status < 400 && r.state() == Root.State.SUSPECT) {
                LOG.info("[{}] {} answers again (active probe): refreshing /{} now", name, UpstreamUrls.display(base), r.path());
                refresher.refreshSoon(r, Duration.ZERO);
            }
        });
    }

    /** The engine key of a content-addressed file. */
    static String contentKey(Digest d) {
        return "h/" + d.algorithm().label() + "/" + d.hex();
    }

    /**
     * Indexes the content key of a SHA-256 the shared store already holds (a by-hash object another
     * root or instance fetched), so that it is served without the upstream; the blob is re-hashed first.
     * Does nothing when the key is indexed or the store lacks the blob. Blocks on disk I/O.
     */
    static void adoptContent(CacheEngine engine, Digest sha256, Map<String, String> headers) throws IOException {
        engine.adopt(contentKey(sha256), sha256, withType(headers));
    }

    /** {@link #adoptContent} for a generation file the refresh has just fetched or verified: not read again. */
    static void adoptRefreshed(CacheEngine engine, Digest sha256, Map<String, String> headers) throws IOException {
        engine.adoptJustVerified(contentKey(sha256), sha256, withType(headers));
    }

    private static Map<String, String> withType(Map<String, String> headers) {
        Map<String, String> h = new TreeMap<>(headers);
        h.putIfAbsent("content-type", "application/octet-stream");
        return h;
    }

    /**
     * The path is classified once; the hit half answers only from the hot index and the in-memory
     * generations (no disk look-up beyond that, no upstream), the serving half does the rest.
     */
    @Override
    public Route route(ProxyRequest request) {
        if (request.path().isEmpty()) {
            return Route.answer(ProxyResponse.Document.text(404, "no repository path below the mount\n"));
        }
        String path = request.path().decoded();
        return switch (layout.classify(path)) {
            case PathKind.Unknown u -> Route.blocking(() -> passthrough(request));
            case PathKind.ByHash b -> Route.of(
                    () -> engine.serveIfHot(cacheRequest(request, contentKey(b.digest()), CONTENT_RULE, List.of(b.digest()))),
                    () -> {
                        noteIndexDir(b.rootPath(), b.indexDir());
                        return serveContent(request, b.digest(), path, Map.of());
                    });
            case PathKind.Metadata m -> Route.of(
                    () -> generationFile(request, m, path).flatMap(f -> engine.serveIfHot(cacheRequest(request,
                            contentKey(Digest.sha256(f.sha256())), CONTENT_RULE, List.of()))),
                    () -> serveMetadata(request, path, m));
            case PathKind.Artifact a -> Route.of(
                    () -> engine.serveIfHot(cacheRequest(request, ARTIFACT + path, config.artifactRule(), List.of())),
                    () -> serveArtifact(request, path));
            case PathKind.Auxiliary x -> Route.blocking(() -> listedFile(path).map(l -> serveListed(request, path, l))
                    .orElseGet(() -> engine.serve(cacheRequest(request, AUXILIARY + path, config.auxiliaryRule(),
                            List.of()))));
        };
    }

    private ProxyResponse serveMetadata(ProxyRequest request, String path, PathKind.Metadata m) {
        Optional<Root> root = rootOf(m, path);
        // a removed root has no published generation (dropped when it was removed, not restored at start-up)
        Optional<Generation> g = root.flatMap(r -> servingGeneration(request, r, path, m.primary()));
        if (g.isPresent()) {
            Generation.FileRef held = g.get().files().get(path);
            if (held != null) {
                return serveContent(request, Digest.sha256(held.sha256()), path, held.headers());
            }
            Generation.FileRef listed = g.get().listed().get(path);
            if (listed != null) {
                return serveListed(request, path, listed);
            }
            if (g.get().absent().contains(path)) {
                return ProxyResponse.Document.text(404, "not found: the upstream has no " + path
                        + " in the current metadata generation\n");
            }
        }
        if (m.primary()) {
            Map.Entry<Root, Boolean> found = catalog.discover(m.rootPath());
            if (found.getValue()) {
                LOG.info("[{}] discovered repository root /{}", name, m.rootPath());
                refresher.discovered(found.getKey());
            } else if (g.isEmpty()) {
                refresher.firstGenerationWanted(found.getKey());
            }
            return firstContact(request, path);
        }
        Optional<String> listed = g.isEmpty() ? listedAtFirstContact(m.rootPath(), path) : Optional.empty();
        if (listed.isPresent()) {
            root.ifPresent(r -> noteIndexDir(r.path(), m.indexDir()));
            // by name, verified against the listed hash (the root file may not offer by-hash paths)
            return serveContent(request, Digest.sha256(listed.get()), path, Map.of());
        }
        ProxyResponse answer = passthrough(request);
        if (answer.status() / 100 == 2 || answer.status() == 304) {
            root.ifPresent(r -> noteIndexDir(r.path(), m.indexDir()));
        }
        return answer;
    }

    /**
     * A root file asked for before the root has a generation: stored (revalidated on every request, served
     * stale when the upstream fails), so that a client that has used the repository once can use it again
     * if the upstream goes away before the first generation is built. The files it lists are then served
     * verified against it ({@link #listedAtFirstContact}); the generation replaces both when it is published.
     */
    private ProxyResponse firstContact(ProxyRequest request, String path) {
        return engine.serve(CacheRequest.builder(FIRST_CONTACT + path, firstContactRule(), Fetcher.encode(path))
                .client(request.method(), request.headers()).upstreamHeaders(upstreamHeaders(request)).build());
    }

    private CacheRule firstContactRule() {
        return new CacheRule(CachePolicy.REVALIDATE, Freshness.NONE, BusyPolicy.STALE,
                config.auxiliaryRule().expireAfter());
    }

    /**
     * The SHA-256 the root's first-contact root file lists for {@code path}, when the root has no
     * generation yet: that file is then served by its hash, verified, and kept like any content.
     */
    private Optional<String> listedAtFirstContact(String rootPath, String path) {
        for (String rootFile : layout.listingRootFiles(rootPath)) {
            try {
                Optional<BlobFile> stored = engine.storedBlob(FIRST_CONTACT + rootFile, config.auxiliaryRule().expireAfter());
                if (stored.isEmpty()) {
                    continue;
                }
                Digest digest = stored.get().digest();
                String sha = firstContactListings.get(rootFile + '\n' + digest.hex(), k -> {
                    try (InputStream in = store.open(digest)) {
                        return layout.listedBy(rootPath, in);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).get(path);
                if (sha != null) {
                    return Optional.of(sha);
                }
            } catch (UncheckedIOException e) {
                LOG.warn("[{}] could not read the first-contact {}: {}", name, rootFile, e.getCause().toString());
            }
        }
        return Optional.empty();
    }

    private ProxyResponse serveArtifact(ProxyRequest request, String path) {
        refresher.packageAsked();
        RepoLayout.ArtifactVerification verification = new RepoLayout.ArtifactVerification(List.of(), FileCheck.NONE);
        URI generationUpstream = null;
        Optional<Listed> listed = listed(path);
        if (listed.isPresent()) {
            verification = layout.artifactVerification(listed.get().entry());
            generationUpstream = preferable(listed.get().generation().upstream());
        } else if (unlisted.size() < MAX_UNLISTED) {
            unlisted.add(path);
        }
        // the mirror the listing came from first (it has what its index lists); another one serves while it
        // fails, labelled RESCUE, and is verified against the same listing
        return engine.serve(CacheRequest.builder(ARTIFACT + path, config.artifactRule(), request.path().encoded())
                .client(request.method(), request.headers()).upstreamHeaders(upstreamHeaders(request))
                .expect(verification.expected()).checkFile(verification.fileCheck())
                .check(ContentCheck.artifact("a package")).preferUpstream(generationUpstream).build());
    }

    /** A package a published generation lists, and that generation. */
    private record Listed(ArtifactListing.Entry entry, Generation generation) {}

    private Optional<Listed> listed(String path) {
        for (RootCatalog.Published p : catalog.allPublished()) {
            Optional<ArtifactListing.Entry> e = p.listing().find(path);
            if (e.isPresent()) {
                return Optional.of(new Listed(e.get(), p.generation()));
            }
        }
        return Optional.empty();
    }

    /**
     * After each refresh that leaves a root with a generation: the packages served while no generation listed
     * them (before a root's first generation, which waits for its clients to pause) are checked against the
     * listing now, as a fill of a listed package is; one that does not match is dropped from the cache, to be
     * fetched again and verified. Those still unlisted, or whose body is still arriving, wait for a later
     * refresh. Runs on the refresh's thread; a SHA-256 listing costs no read.
     */
    void checkUnlisted() {
        for (String path : unlisted) {
            Optional<Listed> listed = listed(path);
            String key = ARTIFACT + path;
            if (listed.isEmpty() || engine.fillInFlight(key)) {
                continue;
            }
            unlisted.remove(path);
            RepoLayout.ArtifactVerification v = layout.artifactVerification(listed.get().entry());
            try {
                engine.checkStored(key, v.expected(), v.fileCheck());
            } catch (IOException | RuntimeException e) {
                LOG.warn("[{}] could not check the stored /{}: {}", name, path, e.toString());
            }
        }
    }

    /** The generation's upstream as a base to prefer; null if its recorded name is not a URL (never expected). */
    private static URI preferable(String upstream) {
        try {
            return URI.create(upstream);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** A file a generation's root file lists by hash: fetched by hash where the format allows. */
    private ProxyResponse serveListed(ProxyRequest request, String path, Generation.FileRef listed) {
        String upstreamPath = layout.byHashPath(path, listed.sha256()).orElse(path);
        return serveContent(request, Digest.sha256(listed.sha256()), upstreamPath, Map.of());
    }

    private ProxyResponse serveContent(ProxyRequest request, Digest digest, String upstreamPath,
            Map<String, String> headers) {
        String key = contentKey(digest);
        if (digest.algorithm() == DigestAlgorithm.SHA256) {
            try {
                adoptContent(engine, digest, headers);
            } catch (IOException e) {
                LOG.warn("[{}] could not index {}: {}", name, key, e.toString());
            }
        }
        return engine.serve(CacheRequest.builder(key, CONTENT_RULE, Fetcher.encode(upstreamPath))
                .client(request.method(), request.headers()).upstreamHeaders(upstreamHeaders(request))
                .expect(List.of(digest)).build());
    }

    private ProxyResponse passthrough(ProxyRequest request) {
        return engine.forward(new UpstreamRequest(request.method(), request.path().encoded(), request.rawQuery(),
                upstreamHeaders(request)));
    }

    /**
     * A client uses the index directory {@code dir} of the root: remembered, and when the root's current
     * generation lacks it while its root file lists it, refreshed at once so that it joins the generation.
     */
    private void noteIndexDir(String rootPath, String dir) {
        if (dir == null || rootPath == null) {
            return;
        }
        Optional<Root> root = catalog.root(rootPath);
        if (root.isEmpty()) {
            return;
        }
        if (root.get().want(dir)) {
            catalog.saveSoon();
        }
        Optional<Generation> g = catalog.published(rootPath).map(RootCatalog.Published::generation);
        String prefix = rootPath.isEmpty() ? dir + "/" : rootPath + "/" + dir + "/";
        if (g.isPresent() && !g.get().indexDirs().contains(dir)
                && g.get().listed().keySet().stream().anyMatch(p -> p.startsWith(prefix))) {
            refresher.refreshSoon(root.get(), Duration.ZERO);
        }
    }

    /** The root a metadata path belongs to: its own for a root file, else the longest known prefix. */
    private Optional<Root> rootOf(PathKind.Metadata m, String path) {
        return m.primary() ? catalog.root(m.rootPath())
                : catalog.rootContaining(path).or(() -> catalog.root(m.rootPath()));
    }

    private Optional<Generation.FileRef> generationFile(ProxyRequest request, PathKind.Metadata m, String path) {
        return rootOf(m, path).flatMap(r -> servingGeneration(request, r, path, m.primary())).map(g -> g.files().get(path));
    }

    /**
     * The generation whose files a client is served. A client fetches a root file (a pacman database,
     * repomd.xml, Release or InRelease, APKINDEX) and then its signature and data files in separate requests; a
     * publish in between must not give it a database and a signature of two publications (pacman's "signature
     * is invalid", PM1), or a repomd.xml and an .asc that do not match. So a client is pinned to the generation
     * it was given: only a request for a root file itself (not its signature or key) moves it to the current
     * generation, and only once its pin is {@value #PIN_SECONDS} seconds old, so a client is never more than
     * that behind at the start of a sync; every other file comes from the pinned generation however long the
     * sync takes (up to {@link #PIN_LIMIT}), unless the pinned generation never had it. A pin that simply expired
     * between a database and its signature (the 10-second pin of old) was exactly such a split.
     */
    private Optional<Generation> servingGeneration(ProxyRequest request, Root root, String path, boolean primary) {
        Optional<Generation> current = catalog.published(root.path()).map(RootCatalog.Published::generation);
        if (current.isEmpty() || request.clientAddress().isEmpty()) {
            return current;
        }
        String key = request.clientAddress() + '\n' + root.path();
        java.time.Instant now = clock.instant();
        Pin pin = pins.getIfPresent(key);
        boolean startsASync = primary && !isSignatureOrKey(path);
        if (pin == null || startsASync && pin.at().plusSeconds(PIN_SECONDS).isBefore(now)) {
            pin = new Pin(current.get(), now);
            pins.put(key, pin);
        }
        if (!holds(pin.generation(), path) && holds(current.get(), path)) {
            // a file the pinned generation never had (an index first asked for since: pacman's .files) cannot
            // contradict anything the client was given: the current generation has it
            return current;
        }
        return Optional.of(pin.generation());
    }

    private static boolean holds(Generation g, String path) {
        return g.files().containsKey(path) || g.listed().containsKey(path);
    }

    /** A detached signature or a key published beside a root file (never the start of a client's sync). */
    private static boolean isSignatureOrKey(String path) {
        return path.endsWith(".sig") || path.endsWith(".asc") || path.endsWith(".gpg") || path.endsWith(".key");
    }

    private Optional<Generation.FileRef> listedFile(String path) {
        for (RootCatalog.Published p : catalog.allPublished()) {
            Generation.FileRef f = p.generation().listed().get(path);
            if (f != null) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    private CacheRequest cacheRequest(ProxyRequest request, String key, CacheRule rule, List<Digest> expected) {
        return CacheRequest.builder(key, rule, request.path().encoded()).client(request.method(), request.headers())
                .upstreamHeaders(upstreamHeaders(request)).expect(expected).build();
    }

    private Headers upstreamHeaders(ProxyRequest request) {
        return request.headers().only(config.basics().passHeaders());
    }

    /**
     * Packages and auxiliary files live for their {@code *_expire_after}; a content-addressed file lives as
     * long as a current generation refers to it, then one more hour (clients in the middle of an update).
     */
    @Override
    public int removeExpired(int batchSize, boolean dryRun) throws IOException {
        Set<String> referenced = new HashSet<>();
        for (RootCatalog.Published p : catalog.allPublished()) {
            p.generation().files().values().forEach(f -> referenced.add(contentKey(Digest.sha256(f.sha256()))));
            p.generation().listed().values().forEach(f -> referenced.add(contentKey(Digest.sha256(f.sha256()))));
        }
        Duration unreferenced = config.refreshInterval().compareTo(UNREFERENCED_CONTENT_LIFE) > 0
                ? config.refreshInterval() : UNREFERENCED_CONTENT_LIFE;
        return engine.removeExpired(key -> {
            if (key.startsWith(ARTIFACT)) {
                return config.artifactRule().expireAfter();
            }
            if (key.startsWith(AUXILIARY)) {
                return config.auxiliaryRule().expireAfter();
            }
            return referenced.contains(key) ? Expiration.never() : Expiration.after(unreferenced);
        }, batchSize, dryRun);
    }

    @Override
    public List<RootStatus> roots() {
        List<RootStatus> out = new ArrayList<>();
        for (Root r : catalog.all()) {
            Root.Snapshot s = r.snapshot();
            Generation g = catalog.published(r.path()).map(RootCatalog.Published::generation).orElse(null);
            out.add(new RootStatus(Refresher.display(r), s.state().name().toLowerCase(Locale.ROOT),
                    g == null ? null : g.id(), g == null ? null : g.publishedAt(), g == null ? null : g.upstream(),
                    g == null ? 0 : g.artifacts(), g == null ? null : g.validUntil(), s.lastAttempt(), s.lastSuccess(),
                    s.lastError()));
        }
        return out;
    }

    @Override
    public String status() {
        StringBuilder sb = new StringBuilder();
        for (RootStatus r : roots()) {
            sb.append(r.path()).append("  ").append(r.state());
            if (r.generation() == null) {
                sb.append("  no generation yet");
            } else {
                sb.append("  generation ").append(r.generation()).append(" published ").append(r.publishedAt())
                        .append(" from ").append(r.upstream()).append(", ").append(r.packages()).append(" packages");
                if (r.validUntil() != null) {
                    sb.append(", valid until ").append(r.validUntil());
                    if (r.expiredAt(clock.instant())) {
                        sb.append(" (EXPIRED: apt refuses it until a refresh succeeds)");
                    }
                }
            }
            if (r.lastError() != null) {
                sb.append("  last error: ").append(r.lastError());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    @Override
    public String clientSetup(String publicUrl) {
        return layout.clientSetup(publicUrl);
    }

    @Override
    public void close() {
        for (AutoCloseable p : probes) {
            try {
                p.close();
            } catch (Exception e) {
                LOG.debug("[{}] removing a probe: {}", name, e.toString());
            }
        }
        refresher.close();
    }
}
