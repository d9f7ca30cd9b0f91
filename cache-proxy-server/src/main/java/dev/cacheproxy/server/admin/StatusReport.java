package dev.cacheproxy.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.index.EntryUsage;
import dev.cacheproxy.core.mode.RootStatus;
import dev.cacheproxy.core.upstream.UpstreamHealthRegistry;
import dev.cacheproxy.server.metrics.RecentTraffic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code GET /-/status} (and {@code /-/status/<instance>}): the server's state as JSON for dashboards and
 * scripts (schema in docs/status-api.md; field names are stable): version, start and uptime, the storage,
 * every upstream host's circuit with its last success and last error, and per instance its mode, where it
 * is mounted, its upstreams, its requests and hit ratio since start and over the last five minutes, the
 * body bytes it served from the store and from upstreams, what it holds in the store, its fills in flight
 * and its repository roots (Linux repository modes). Counters since start come from the metrics registry,
 * so it says what {@code /metrics} says.
 */
public final class StatusReport {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String version;
    private final Instant startedAt;
    private final InstantSource clock;
    private final List<AdminEndpoints.InstanceInfo> instances;
    private final UpstreamHealthRegistry health;
    private final AdminEndpoints.StorageView storage;
    private final MeterRegistry registry;
    private final RecentTraffic recent;

    public StatusReport(String version, Instant startedAt, InstantSource clock, List<AdminEndpoints.InstanceInfo> instances,
            UpstreamHealthRegistry health, AdminEndpoints.StorageView storage, MeterRegistry registry, RecentTraffic recent) {
        this.version = version;
        this.startedAt = startedAt;
        this.clock = clock;
        this.instances = List.copyOf(instances);
        this.health = health;
        this.storage = storage;
        this.registry = registry;
        this.recent = recent;
    }

    public byte[] json(String baseUrl) {
        return bytes(tree(baseUrl));
    }

    /** One instance's part of the report, or empty when there is no such instance. */
    public Optional<byte[]> instanceJson(String name, String baseUrl) {
        return instances.stream().filter(i -> i.name().equals(name)).findFirst()
                .map(i -> bytes(instance(JSON.createObjectNode(), i, baseUrl)));
    }

    private static byte[] bytes(ObjectNode tree) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The report as a tree; {@code baseUrl} is how the asking client reaches the main listener. */
    public ObjectNode tree(String baseUrl) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", version);
        root.put("started_at", startedAt.toString());
        root.put("uptime_seconds", Duration.between(startedAt, clock.instant()).toSeconds());
        ObjectNode s = root.putObject("storage");
        s.put("backend", storage.backend());
        s.put("stored_bytes", storage.storedBytes());
        s.put("stored_objects", storage.storedObjects());
        s.put("quota_bytes", storage.quotaBytes());
        s.put("free_bytes", storage.freeBytes());
        s.put("full", storage.full());
        ArrayNode ups = root.putArray("upstreams");
        for (UpstreamHealthRegistry.HostHealth h : health.snapshot()) {
            host(ups.addObject().put("host", h.host()), h);
        }
        ArrayNode list = root.putArray("instances");
        for (AdminEndpoints.InstanceInfo i : instances) {
            instance(list.addObject(), i, baseUrl);
        }
        return root;
    }

    private ObjectNode instance(ObjectNode n, AdminEndpoints.InstanceInfo i, String baseUrl) {
        n.put("name", i.name());
        n.put("mode", i.mode());
        if (i.dedicatedListener()) {
            n.put("listen", i.bind());
        } else {
            n.put("mount", i.mountPath());
        }
        String url = i.url(baseUrl);
        n.put("url", url);
        n.put("setup", i.instance().clientSetup(url));
        ArrayNode ups = n.putArray("upstreams");
        for (UpstreamHealthRegistry.BaseHealth b : health.usedBy(i.name())) {
            host(ups.addObject().put("url", b.url()).put("host", b.health().host()), b.health());
        }
        long requests = 0;
        for (Timer t : registry.find("cache_proxy_http_requests").tag("instance", i.name()).timers()) {
            requests += t.count();
        }
        n.put("requests", requests);
        ObjectNode results = n.putObject("results");
        long all = 0;
        long stored = 0;
        for (Counter c : registry.find("cache_proxy_cache_results").tag("instance", i.name()).counters()) {
            String result = c.getId().getTag("result");
            long count = (long) c.count();
            results.put(result, count);
            all += count;
            stored += RecentTraffic.fromStore(result) ? count : 0;
        }
        ratio(n, "hit_ratio", all == 0 ? null : (double) stored / all);
        RecentTraffic.Recent now = recent.recent(i.name());
        ObjectNode last = n.putObject("last_5m");
        last.put("requests", now.requests());
        ratio(last, "hit_ratio", now.hitRatio());
        ArrayNode per = last.putArray("requests_per_10s");
        for (long r : now.perBucket()) {
            per.add(r);
        }
        ObjectNode served = n.putObject("served_bytes");
        served.put("cache", 0L);
        served.put("upstream", 0L);
        for (Counter c : registry.find("cache_proxy_served_bytes").tag("instance", i.name()).counters()) {
            String source = c.getId().getTag("source");
            served.put(source, served.path(source).asLong() + (long) c.count());
        }
        EntryUsage.Held held = storage.held(i.name());
        n.putObject("stored").put("entries", held.entries()).put("bytes", held.bytes());
        Gauge fills = registry.find("cache_proxy_fills_in_flight").tag("instance", i.name()).gauge();
        n.put("fills_in_flight", fills == null ? 0 : (long) fills.value());
        ArrayNode roots = n.putArray("roots");
        Instant at = clock.instant();
        for (RootStatus r : i.instance().roots()) {
            ObjectNode o = roots.addObject().put("path", r.path()).put("state", r.state());
            o.put("generation", r.generation());
            time(o, "published_at", r.publishedAt());
            if (r.publishedAt() == null) {
                o.putNull("age_seconds");
            } else {
                o.put("age_seconds", Duration.between(r.publishedAt(), at).toSeconds());
            }
            o.put("upstream", r.upstream());
            o.put("packages", r.packages());
            time(o, "valid_until", r.validUntil());
            o.put("expired", r.expiredAt(at));
            time(o, "last_attempt", r.lastAttempt());
            time(o, "last_success", r.lastSuccess());
            o.put("last_error", r.lastError());
        }
        ArrayNode lines = n.putArray("status");
        i.instance().status().lines().filter(l -> !l.isBlank()).forEach(lines::add);
        return n;
    }

    /** A host's circuit, weight and last outcomes into {@code o}. */
    private static void host(ObjectNode o, UpstreamHealthRegistry.HostHealth h) {
        o.put("state", h.state().label());
        o.put("weight", Double.parseDouble(String.format(Locale.ROOT, "%.3f", h.weight())));
        time(o, "last_success", h.last().lastSuccess());
        time(o, "last_failure", h.last().lastFailure());
        o.put("last_error", h.last().lastError());
    }

    private static void time(ObjectNode o, String field, Instant t) {
        if (t == null) {
            o.putNull(field);
        } else {
            o.put(field, t.toString());
        }
    }

    private static void ratio(ObjectNode o, String field, Double r) {
        if (r == null) {
            o.putNull(field);
        } else {
            o.put(field, Double.parseDouble(String.format(Locale.ROOT, "%.4f", r)));
        }
    }
}
