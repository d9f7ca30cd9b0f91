package dev.cacheproxy.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.blob.FileBlobStore;
import dev.cacheproxy.core.digest.MultiDigester;
import dev.cacheproxy.core.events.CacheEvents;
import dev.cacheproxy.core.fetch.FillLimiter;
import dev.cacheproxy.core.index.EntryStore;
import dev.cacheproxy.core.maintenance.BlobGarbageCollector;
import dev.cacheproxy.core.maintenance.BlobScrubber;
import dev.cacheproxy.core.mode.ModeContext;
import dev.cacheproxy.core.mode.ModeInstance;
import dev.cacheproxy.core.mode.Mount;
import dev.cacheproxy.core.schedule.Scheduler;
import dev.cacheproxy.core.upstream.UpstreamHealthRegistry;
import dev.cacheproxy.server.access.AccessControl;
import dev.cacheproxy.server.admin.AdminEndpoints;
import dev.cacheproxy.server.admin.EntryAdmin;
import dev.cacheproxy.server.admin.StatusReport;
import dev.cacheproxy.server.config.AppConfig;
import dev.cacheproxy.server.metrics.MetricsSetup;
import dev.cacheproxy.server.metrics.MicrometerCacheEvents;
import dev.cacheproxy.server.metrics.RequestMetrics;
import dev.cacheproxy.server.netty.AccessGuard;
import dev.cacheproxy.server.netty.ProxyServer;
import dev.cacheproxy.server.netty.PublicUrls;
import dev.cacheproxy.server.netty.RouterFactory;
import dev.cacheproxy.server.netty.TrustedProxies;
import dev.cacheproxy.server.tls.ServerTls;
import dev.cacheproxy.server.upstream.NettyUpstreams;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: opens the storage, builds every enabled instance, binds the listeners.
 * {@link #start} returns a running application; {@link #stop} shuts it down gracefully.
 */
public final class Application implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Application.class);
    /** Blob GC spares unreferenced blobs younger than this (a fill between blob commit and entry write). */
    private static final Duration BLOB_GC_GRACE = Duration.ofHours(1);

    private final AppConfig config;
    private final BlobStore store;
    private final ExecutorService virtualThreads;
    /** How often the active probes look for a host that is due (each host is probed far less often). */
    private static final Duration PROBE_TICK = Duration.ofSeconds(1);
    private final ProxyServer server;
    private final List<ModeInstance> instances;
    private final Maintenance maintenance;
    private final InetSocketAddress mainAddress;
    private final Map<String, InetSocketAddress> dedicated;
    /** Runs the active upstream probes every second; closed first when stopping. */
    private final Scheduler probes;
    /** The size quota, the free-space floor and the entry-use table. */
    private final StorageKeeper keeper;
    /** TLS on the listeners, with its certificate reloader; empty for cleartext. */
    private final Optional<ServerTls> tls;
    /** The instances' access rules, replaced by {@link #reload}. */
    private final AccessGuard guard;
    private final NettyUpstreams upstreams;

    private Application(AppConfig config, BlobStore store, ExecutorService virtualThreads, ProxyServer server,
            List<ModeInstance> instances, Maintenance maintenance, InetSocketAddress mainAddress,
            Map<String, InetSocketAddress> dedicated, Scheduler probes, StorageKeeper keeper, Optional<ServerTls> tls,
            AccessGuard guard, NettyUpstreams upstreams) {
        this.guard = guard;
        this.upstreams = upstreams;
        this.tls = tls;
        this.keeper = keeper;
        this.probes = probes;
        this.config = config;
        this.store = store;
        this.virtualThreads = virtualThreads;
        this.server = server;
        this.instances = instances;
        this.maintenance = maintenance;
        this.mainAddress = mainAddress;
        this.dedicated = dedicated;
    }

    public static Application start(AppConfig config) throws IOException, InterruptedException {
        // CACHE_PROXY_LOG_LEVEL wins over the YAML so that an operator can turn on debug without editing it;
        // logback.xml already applied it, so only a YAML level without the variable changes anything here.
        if (System.getenv("CACHE_PROXY_LOG_LEVEL") == null) {
            config.logging().level().ifPresent(Application::setLogLevel);
        }
        Path backend = config.server().backend();
        StorageBackend storage = StorageBackend.open(backend, config.storage().s3());
        BlobStore store = storage.blobs();
        ExecutorService vt = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("cp-", 0).factory());
        vt.execute(MultiDigester::warmUp); // while the rest starts: the first miss then hashes at full speed
        PrometheusMeterRegistry registry = MetricsSetup.create();
        CacheEvents events = CacheEvents.guarded(new MicrometerCacheEvents(registry, store));
        RequestMetrics requestMetrics = new RequestMetrics(registry);
        UpstreamHealthRegistry upstreamHealth = new UpstreamHealthRegistry(events, Clock.systemUTC());
        EntryStore entries = storage.entries();
        StorageKeeper keeper = new StorageKeeper(store, entries, config.storage().limits(), config.storage().hotIndexSize(),
                Clock.systemUTC(), events, config.storage().s3().isPresent() ? "s3" : "file");
        keeper.registerMetrics(registry);
        NettyUpstreams upstreams = new NettyUpstreams();
        ModeContext context = new ModeContext(store, entries,
                new FillLimiter(config.storage().maxActive(), config.storage().maxActivePerInstance()),
                Clock.systemUTC(), events, vt, backend.resolve("state"), Scheduler::system, upstreamHealth,
                keeper.usage(), keeper.space(), keeper.hot(), upstreams);

        Map<String, ModeInstance> built = new LinkedHashMap<>();
        List<RouterFactory.Mounted> mounted = new ArrayList<>();
        List<AdminEndpoints.InstanceInfo> infos = new ArrayList<>();
        Map<String, ModeInstance> bound = new LinkedHashMap<>();
        Map<String, String> bindAddresses = new LinkedHashMap<>();
        config.warnings().forEach(w -> LOG.warn("config: {}", w));
        for (AppConfig.Instance i : config.instances()) {
            if (!i.enabled()) {
                // The Go project skips these silently, which costs operators an afternoon.
                LOG.warn("instance {} is not served: it has no 'enabled: true'", i.name());
            }
        }
        for (AppConfig.Instance i : config.enabledInstances()) {
            ModeInstance instance = create(i, context);
            built.put(i.name(), instance);
            switch (i.mount()) {
                case Mount.Path p -> {
                    mounted.add(new RouterFactory.Mounted(i.name(), p.path(), instance));
                    infos.add(new AdminEndpoints.InstanceInfo(i.name(), i.mode().key(), p.path(), false, "", instance));
                }
                case Mount.Bind b -> {
                    bound.put(i.name(), instance);
                    bindAddresses.put(i.name(), b.hostPort());
                    infos.add(new AdminEndpoints.InstanceInfo(i.name(), i.mode().key(), "", true, b.hostPort(), instance));
                }
            }
        }

        Optional<ServerTls> tls;
        try {
            tls = config.server().tls().map(ServerTls::open);
        } catch (IllegalArgumentException e) {
            keeper.close();
            built.values().forEach(ModeInstance::close);
            upstreams.close();
            store.close();
            vt.shutdownNow();
            throw new IOException(e.getMessage(), e);
        }
        tls.ifPresent(t -> Gauge.builder("cache_proxy_tls_certificate_expiry_timestamp_seconds",
                t, x -> x.notAfter().getEpochSecond()).description("When the TLS certificate in service expires (Unix time)")
                .tag("provider", t.providerName()).register(registry));
        ProxyServer server = new ProxyServer(vt, (client, method, uri, status, bytes, duration, instance, cache, principal, aborted) -> {
            AccessLog.log(client, method, uri, status, bytes, duration, instance, cache, principal, aborted);
            requestMetrics.record(instance, status, bytes, duration, cache);
        }, config.server().maxConnections(), config.server().idleTimeout(), tls, config.server().h2c());
        AccessGuard guard = new AccessGuard(accessRules(config));
        server.guardWith(guard);
        String scheme = tls.isPresent() ? "https" : "http";
        PublicUrls urls = new PublicUrls(config.server().publicUrl(), config.server().bind(),
                TrustedProxies.of(config.server().trustedProxies()), scheme);
        AdminEndpoints admin = new AdminEndpoints(config.metrics().path(), config.metrics().token(), registry::scrape,
                server::listenersBound, () -> storageWritable(backend), infos, () -> circuits(upstreamHealth), keeper);
        String version = Application.class.getPackage().getImplementationVersion();
        admin.statusFrom(new StatusReport(version == null ? "dev" : version, Clock.systemUTC().instant(), Clock.systemUTC(),
                infos, upstreamHealth, keeper, registry, requestMetrics.recent()));
        admin.entriesFrom(new EntryAdmin(entries, keeper.usage(), config.instances().stream().map(AppConfig.Instance::name)
                .collect(java.util.stream.Collectors.toSet()), config.server().adminToken(), registry, guard::rules));
        try {
            InetSocketAddress main = server.bindMain(config.server().bind(), RouterFactory.create(mounted), admin, urls);
            Map<String, InetSocketAddress> dedicatedAddresses = new LinkedHashMap<>();
            for (var e : bound.entrySet()) {
                dedicatedAddresses.put(e.getKey(), server.bindDedicated(bindAddresses.get(e.getKey()), e.getKey(),
                        e.getValue(), urls));
            }
            BlobScrubber scrubber = config.storage().scrubRate() > 0
                    ? new BlobScrubber(storage.scrubbed(), events, config.storage().scrubRate(), Thread::sleep) : null;
            Maintenance maintenance = new Maintenance(config.storage(), built,
                    new BlobGarbageCollector(store, entries, BLOB_GC_GRACE, Clock.systemUTC()),
                    scrubber);
            maintenance.start();
            keeper.start();
            Scheduler probes = Scheduler.system("cp-probes");
            upstreamHealth.probeEvery(probes, PROBE_TICK);
            server.markReady();
            LOG.info("cache-proxy started: {}://{}:{}/ with {} instance(s); storage {}", scheme,
                    main.getAddress().getHostAddress(), main.getPort(), built.size(), storage.description());
            logClientSetup(config, built, main, dedicatedAddresses, scheme);
            return new Application(config, store, vt, server, List.copyOf(built.values()), maintenance, main,
                    dedicatedAddresses, probes, keeper, tls, guard, upstreams);
        } catch (Exception e) {
            keeper.close();
            server.close();
            tls.ifPresent(ServerTls::close);
            built.values().forEach(ModeInstance::close);
            upstreams.close();
            store.close();
            vt.shutdownNow();
            throw new IOException("cannot listen: " + e.getMessage(), e);
        }
    }

    /** The one line each instance's clients need (npm config, settings.xml mirror, sources.list, docker pull). */
    private static void logClientSetup(AppConfig config, Map<String, ModeInstance> built, InetSocketAddress main,
            Map<String, InetSocketAddress> dedicated, String scheme) {
        String base = config.server().publicUrl().map(u -> u.toString().replaceAll("/+$", ""))
                .orElse(scheme + "://" + printable(main));
        for (AppConfig.Instance i : config.enabledInstances()) {
            String url = switch (i.mount()) {
                case Mount.Path p -> base + p.path();
                case Mount.Bind b -> scheme + "://" + printable(dedicated.get(i.name()));
            };
            LOG.info("[{}] {}", i.name(), built.get(i.name()).clientSetup(url));
        }
    }

    /** host:port as a client would type it: an any-address listener is shown as this machine's loopback. */
    private static String printable(InetSocketAddress a) {
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    static ModeInstance create(AppConfig.Instance i, ModeContext context) {
        return i.configured().create(i.name(), context);
    }

    private static boolean storageWritable(Path backend) {
        try {
            Path probe = Files.createTempFile(backend.resolve("tmp"), "ready-", ".probe");
            Files.delete(probe);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void setLogLevel(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx) {
            ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
        }
    }

    public InetSocketAddress mainAddress() {
        return mainAddress;
    }

    public InetSocketAddress dedicatedAddress(String instance) {
        return dedicated.get(instance);
    }

    public AppConfig config() {
        return config;
    }

    /** Each enabled instance's access rules. */
    private static Map<String, AccessControl> accessRules(AppConfig config) {
        Map<String, AccessControl> rules = new LinkedHashMap<>();
        for (AppConfig.Instance i : config.enabledInstances()) {
            rules.put(i.name(), new AccessControl(i.name(), i.access()));
        }
        return rules;
    }

    /**
     * A configuration reload (SIGHUP): the running instances take the {@code access} blocks of
     * {@code fresh} (a revoked token stops working for the next request); an instance missing from
     * {@code fresh} keeps its rules. Everything else in the file takes a restart (the log says so); the TLS
     * files are re-read on their own.
     */
    public void reload(AppConfig fresh) {
        Map<String, AccessControl> rules = accessRules(config);
        Map<String, AccessControl> next = accessRules(fresh);
        for (String name : rules.keySet()) {
            if (next.containsKey(name)) {
                rules.put(name, next.get(name));
            } else {
                LOG.warn("reload: instance {} is not in the new configuration; it keeps its access rules until a restart", name);
            }
        }
        guard.replace(rules);
        LOG.info("reload: access rules of {} instance(s) applied; other changes to the configuration take a restart",
                rules.size());
    }

    /** Graceful stop: in-flight responses may finish within {@code server.shutdown_timeout}. */
    public void stop() {
        stop(config.server().shutdownTimeout());
    }

    public void stop(Duration deadline) {
        LOG.info("stopping: no new connections; waiting up to {} ms for {} response(s) in flight",
                deadline.toMillis(), server.inFlight());
        probes.close();
        server.shutdown(deadline);
        tls.ifPresent(ServerTls::close);
        maintenance.close();
        keeper.close();
        instances.forEach(ModeInstance::close);
        virtualThreads.shutdownNow();
        try {
            // Interrupted fills abort and delete their temp files: let them, before the store goes (a fill
            // finishing after stop() returned wrote into a directory its owner was already removing)
            if (!virtualThreads.awaitTermination(2, java.util.concurrent.TimeUnit.SECONDS)) {
                LOG.warn("stopping: some work did not end within 2 s of being interrupted");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        upstreams.close();
        try {
            store.close();
        } catch (IOException e) {
            LOG.warn("closing the store: {}", e.toString());
        }
        LOG.info("stopped");
    }

    @Override
    public void close() {
        stop(Duration.ZERO);
    }

    /** One line per upstream host: its circuit and weight (the order requests try the upstreams in). */
    private static String circuits(UpstreamHealthRegistry health) {
        StringBuilder sb = new StringBuilder();
        for (UpstreamHealthRegistry.HostHealth h : health.snapshot()) {
            sb.append(String.format(java.util.Locale.ROOT, "%-40s %-9s weight %.2f", h.host(), h.state().label(), h.weight()));
            if (h.last().lastError() != null) {
                sb.append("  last error ").append(h.last().lastFailure()).append(": ").append(h.last().lastError());
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Checks that every instance can be built, against a throw-away store (for {@code -validate}). */
    public static void dryBuild(AppConfig config) throws IOException {
        Path tmp = Files.createTempDirectory("cache-proxy-validate-");
        try (FileBlobStore store = FileBlobStore.open(tmp)) {
            ExecutorService vt = Executors.newVirtualThreadPerTaskExecutor();
            ModeContext context = new ModeContext(store, tmp.resolve("index"), tmp.resolve("tmp"),
                    new FillLimiter(1, 1), Clock.systemUTC(), CacheEvents.NONE, vt, tmp.resolve("state"),
                    Scheduler::system, new UpstreamHealthRegistry());
            for (AppConfig.Instance i : config.instances()) {
                create(i, context).close();
            }
            vt.shutdownNow();
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
