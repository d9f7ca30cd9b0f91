package dev.cacheproxy.server.metrics;

import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.events.CacheEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link CacheEvents} as Micrometer meters. Names start with {@code cache_proxy_}; labels are bounded
 * ({@code instance} from the configuration, {@code result}, {@code status} class) and never carry a path.
 */
public final class MicrometerCacheEvents implements CacheEvents {
    private final MeterRegistry registry;
    /**
     * Every counter by its name and labels (the one timer by its labels), registered at first use: an event looks
     * its meter up here rather than building it through the registry (builder, tags, id, the registry's own
     * lookup), a long path on every request and miss, longer still for a just-started process that runs it
     * interpreted.
     */
    private final ConcurrentHashMap<List<String>, Counter> counters = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<List<String>, Timer> upstreamRequests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> fillsInFlight = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> rootCounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> circuitStates = new ConcurrentHashMap<>();

    public MicrometerCacheEvents(MeterRegistry registry, BlobStore store) {
        this.registry = registry;
        Gauge.builder("cache_proxy_stored_bytes", store, s -> s.stats().bytes())
                .description("Bytes in the blob store").baseUnit("bytes").register(registry);
        Gauge.builder("cache_proxy_stored_objects", store, s -> s.stats().objects())
                .description("Blobs in the blob store").register(registry);
    }

    @Override
    public void served(String instance, CacheStatus status) {
        counter("cache_proxy_cache_results", "Engine responses by X-Cache result", null,
                "instance", instance, "result", status.name()).increment();
    }

    @Override
    public void upstreamBytes(String instance, long bytes) {
        counter("cache_proxy_upstream_bytes", "Bytes read from upstreams", "bytes", "instance", instance).increment(bytes);
    }

    @Override
    public void upstreamResponse(String instance, int status, Duration latency) {
        String statusClass = statusClass(status);
        upstreamRequests.computeIfAbsent(List.of(instance, statusClass), k ->
                Timer.builder("cache_proxy_upstream_requests").description("Upstream exchanges by status class (time to headers)")
                        .tag("instance", instance).tag("status", statusClass).register(registry)).record(latency);
    }

    @Override
    public void fillStarted(String instance) {
        fills(instance).incrementAndGet();
    }

    @Override
    public void fillFinished(String instance, boolean stored, long bytes) {
        counter("cache_proxy_fills", "Finished fills", null, "instance", instance, "result", stored ? "stored" : "aborted")
                .increment();
    }

    @Override
    public void fillEnded(String instance) {
        fills(instance).decrementAndGet();
    }

    @Override
    public void evicted(int entries, long bytes) {
        counter("cache_proxy_evicted_entries", "Entries evicted by the size quota (storage.max_size)", null).increment(entries);
        counter("cache_proxy_evicted_bytes", "Blob bytes freed by the size quota", "bytes").increment(bytes);
    }

    @Override
    public void fillUnstored(String instance, String reason) {
        counter("cache_proxy_fills_unstored", "Bodies passed through without being stored, by reason", null,
                "instance", instance, "reason", reason).increment();
    }

    @Override
    public void uploaded(String instance, String protocol, long bytes) {
        counter("cache_proxy_uploads", "Uploads a hosted instance stored, by client protocol", null,
                "instance", instance, "protocol", protocol).increment();
        counter("cache_proxy_uploaded_bytes", "Bytes of the uploads a hosted instance stored", "bytes",
                "instance", instance, "protocol", protocol).increment(bytes);
    }

    @Override
    public void uploadRefused(String instance, String protocol, String reason) {
        counter("cache_proxy_uploads_refused", "Uploads a hosted instance refused or lost, by reason", null,
                "instance", instance, "protocol", protocol, "reason", reason).increment();
    }

    @Override
    public void hostedRead(String instance, String protocol, boolean hit) {
        counter("cache_proxy_hosted_reads", "Reads of a hosted instance, by client protocol and result", null,
                "instance", instance, "protocol", protocol, "result", hit ? "hit" : "miss").increment();
    }

    @Override
    public void collected(String instance, int removed) {
        counter("cache_proxy_gc_runs", "Garbage collections of a hosted instance (GC by roots)", null,
                "instance", instance).increment();
        counter("cache_proxy_gc_removed_entries", "Entries those collections removed", null, "instance", instance)
                .increment(removed);
    }

    @Override
    public void followerJoined(String instance) {
        counter("cache_proxy_fill_followers", "Requests that joined a fill in flight", null, "instance", instance)
                .increment();
    }

    @Override
    public void verificationFailed(String instance) {
        counter("cache_proxy_verification_failures", "Bodies refused for a digest mismatch or an implausible shape", null,
                "instance", instance).increment();
    }

    @Override
    public void blobDamaged(String foundBy) {
        counter("cache_proxy_blobs_damaged", "Stored blobs that no longer matched their name or entry and were quarantined",
                null, "found_by", foundBy).increment();
    }

    @Override
    public void repositoryRefreshed(String instance, String outcome) {
        counter("cache_proxy_repository_refreshes", "Metadata refreshes of repository roots by outcome", null,
                "instance", instance, "outcome", outcome).increment();
    }

    @Override
    public void upstreamCircuit(String instance, String upstream, String from, String to) {
        counter("cache_proxy_circuit_breaker_events", "Upstream circuit breaker transitions", null,
                "instance", instance, "event", from + "->" + to).increment();
        circuitStates.computeIfAbsent(instance + ' ' + upstream, k -> {
            AtomicInteger a = new AtomicInteger();
            Gauge.builder("cache_proxy_upstream_circuit_state", a, AtomicInteger::get)
                    .description("An upstream's circuit: 0 closed, 1 degraded, 2 half-open, 3 open")
                    .tag("instance", instance).tag("upstream", upstream).register(registry);
            return a;
        }).set(switch (to) {
            case "degraded" -> 1;
            case "half-open" -> 2;
            case "open" -> 3;
            default -> 0;
        });
    }

    @Override
    public void repositoryRoots(String instance, String state, int count) {
        rootCounts.computeIfAbsent(instance + ' ' + state, k -> {
            AtomicInteger a = new AtomicInteger();
            Gauge.builder("cache_proxy_repository_roots", a, AtomicInteger::get)
                    .description("Repository roots by state (a suspect root serves its last good metadata)")
                    .tag("instance", instance).tag("state", state).register(registry);
            return a;
        }).set(count);
    }

    private AtomicInteger fills(String instance) {
        return fillsInFlight.computeIfAbsent(instance, i -> {
            AtomicInteger a = new AtomicInteger();
            Gauge.builder("cache_proxy_fills_in_flight", a, AtomicInteger::get).description("Fills in progress")
                    .tag("instance", i).register(registry);
            return a;
        });
    }

    /** The counter {@code name} with the labels {@code tags} (name, value, name, value...), {@code baseUnit} may be null. */
    private Counter counter(String name, String description, String baseUnit, String... tags) {
        List<String> key = new ArrayList<>(tags.length + 1);
        key.add(name);
        key.addAll(Arrays.asList(tags));
        return counters.computeIfAbsent(key, k ->
                Counter.builder(name).description(description).baseUnit(baseUnit).tags(tags).register(registry));
    }

    static String statusClass(int status) {
        return status <= 0 ? "failed" : (status / 100) + "xx";
    }
}
