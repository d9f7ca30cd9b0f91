package dev.cacheproxy.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cacheproxy.core.upstream.UpstreamHealthRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code GET /-/status}: the server's state as JSON for dashboards and scripts (schema in the README,
 * "Admin endpoints"; field names are stable): version, start and uptime, the storage, every upstream
 * host's circuit, and per instance its mode, where it is mounted, its requests and cache results since
 * start, its hit ratio, the body bytes it served from the store and from upstreams, its fills in flight
 * and the lines its own status gives (Linux repository roots).
 * Built from the metrics registry, so it says what {@code /metrics} says.
 */
public final class StatusReport {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Results answered from the store. */
    private static final Set<String> FROM_STORE = Set.of("HIT", "STALE", "REVALIDATED");

    private final String version;
    private final Instant startedAt;
    private final InstantSource clock;
    private final List<AdminEndpoints.InstanceInfo> instances;
    private final UpstreamHealthRegistry health;
    private final AdminEndpoints.StorageView storage;
    private final MeterRegistry registry;

    public StatusReport(String version, Instant startedAt, InstantSource clock, List<AdminEndpoints.InstanceInfo> instances,
            UpstreamHealthRegistry health, AdminEndpoints.StorageView storage, MeterRegistry registry) {
        this.version = version;
        this.startedAt = startedAt;
        this.clock = clock;
        this.instances = List.copyOf(instances);
        this.health = health;
        this.storage = storage;
        this.registry = registry;
    }

    public byte[] json(String baseUrl) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree(baseUrl));
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
            ups.addObject().put("host", h.host()).put("state", h.state().label()).put("weight", h.weight());
        }
        ArrayNode list = root.putArray("instances");
        for (AdminEndpoints.InstanceInfo i : instances) {
            ObjectNode n = list.addObject();
            n.put("name", i.name());
            n.put("mode", i.mode());
            if (i.dedicatedListener()) {
                n.put("listen", i.bind());
            } else {
                n.put("mount", i.mountPath());
            }
            String url = i.url(baseUrl);
            n.put("url", url);
            n.put("setup", i.setup().apply(url));
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
                stored += FROM_STORE.contains(result) ? count : 0;
            }
            if (all > 0) {
                n.put("hit_ratio", Double.parseDouble(String.format(Locale.ROOT, "%.4f", (double) stored / all)));
            } else {
                n.putNull("hit_ratio");
            }
            ObjectNode served = n.putObject("served_bytes");
            served.put("cache", 0L);
            served.put("upstream", 0L);
            for (Counter c : registry.find("cache_proxy_served_bytes").tag("instance", i.name()).counters()) {
                String source = c.getId().getTag("source");
                served.put(source, served.path(source).asLong() + (long) c.count());
            }
            Gauge fills = registry.find("cache_proxy_fills_in_flight").tag("instance", i.name()).gauge();
            n.put("fills_in_flight", fills == null ? 0 : (long) fills.value());
            ArrayNode lines = n.putArray("status");
            i.status().get().lines().filter(l -> !l.isBlank()).forEach(lines::add);
        }
        return root;
    }
}
