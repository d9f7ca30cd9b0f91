package dev.cacheproxy.server.metrics;

import dev.cacheproxy.core.blob.BlobStore;
import dev.cacheproxy.core.http.CacheStatus;
import dev.cacheproxy.core.events.CacheEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link CacheEvents} as Micrometer meters. Names start with {@code cache_proxy_}; labels are bounded
 * ({@code instance} from the configuration, {@code result}, {@code status} class) and never carry a path.
 */
public final class MicrometerCacheEvents implements CacheEvents {
    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, AtomicInteger> fillsInFlight = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> results = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> hostedReads = new ConcurrentHashMap<>();
    // the meters of every miss and upload, looked up in maps of our own as served() does: building a meter
    // through the registry (builder, tags, id, the registry's lookup) is a long path for a just-started process
    private final ConcurrentHashMap<String, Counter> upstreamBytes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Timer> upstreamRequests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> fillsFinished = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> followers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> uploads = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> uploadedBytes = new ConcurrentHashMap<>();
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
        // once per request: looked up in our own map rather than built through the registry each time
        results.computeIfAbsent(instance + ' ' + status.name(), k ->
                Counter.builder("cache_proxy_cache_results").description("Engine responses by X-Cache result")
                        .tag("instance", instance).tag("result", status.name()).register(registry)).increment();
    }

    @Override
    public void upstreamBytes(String instance, long bytes) {
        upstreamBytes.computeIfAbsent(instance, k ->
                Counter.builder("cache_proxy_upstream_bytes").description("Bytes read from upstreams").baseUnit("bytes")
                        .tag("instance", instance).register(registry)).increment(bytes);
    }

    @Override
    public void upstreamResponse(String instance, int status, Duration latency) {
        String statusClass = statusClass(status);
        upstreamRequests.computeIfAbsent(instance + ' ' + statusClass, k ->
                Timer.builder("cache_proxy_upstream_requests").description("Upstream exchanges by status class (time to headers)")
                        .tag("instance", instance).tag("status", statusClass).register(registry)).record(latency);
    }

    @Override
    public void fillStarted(String instance) {
        fills(instance).incrementAndGet();
    }

    @Override
    public void fillFinished(String instance, boolean stored, long bytes) {
        String result = stored ? "stored" : "aborted";
        fillsFinished.computeIfAbsent(instance + ' ' + result, k ->
                Counter.builder("cache_proxy_fills").description("Finished fills").tag("instance", instance)
                        .tag("result", result).register(registry)).increment();
    }

    @Override
    public void fillEnded(String instance) {
        fills(instance).decrementAndGet();
    }

    @Override
    public void evicted(int entries, long bytes) {
        Counter.builder("cache_proxy_evicted_entries").description("Entries evicted by the size quota (storage.max_size)")
                .register(registry).increment(entries);
        Counter.builder("cache_proxy_evicted_bytes").description("Blob bytes freed by the size quota").baseUnit("bytes")
                .register(registry).increment(bytes);
    }

    @Override
    public void fillUnstored(String instance, String reason) {
        Counter.builder("cache_proxy_fills_unstored").description("Bodies passed through without being stored, by reason")
                .tag("instance", instance).tag("reason", reason).register(registry).increment();
    }

    @Override
    public void uploaded(String instance, String protocol, long bytes) {
        String key = instance + ' ' + protocol;
        uploads.computeIfAbsent(key, k ->
                Counter.builder("cache_proxy_uploads").description("Uploads a hosted instance stored, by client protocol")
                        .tag("instance", instance).tag("protocol", protocol).register(registry)).increment();
        uploadedBytes.computeIfAbsent(key, k ->
                Counter.builder("cache_proxy_uploaded_bytes").description("Bytes of the uploads a hosted instance stored")
                        .baseUnit("bytes").tag("instance", instance).tag("protocol", protocol).register(registry))
                .increment(bytes);
    }

    @Override
    public void uploadRefused(String instance, String protocol, String reason) {
        Counter.builder("cache_proxy_uploads_refused").description("Uploads a hosted instance refused or lost, by reason")
                .tag("instance", instance).tag("protocol", protocol).tag("reason", reason).register(registry).increment();
    }

    @Override
    public void hostedRead(String instance, String protocol, boolean hit) {
        hostedReads.computeIfAbsent(instance + ' ' + protocol + ' ' + hit, k ->
                Counter.builder("cache_proxy_hosted_reads").description("Reads of a hosted instance, by client protocol and result")
                        .tag("instance", instance).tag("protocol", protocol).tag("result", hit ? "hit" : "miss")
                        .register(registry)).increment();
    }

    @Override
    public void collected(String instance, int removed) {
        Counter.builder("cache_proxy_gc_runs").description("Garbage collections of a hosted instance (GC by roots)")
                .tag("instance", instance).register(registry).increment();
        Counter.builder("cache_proxy_gc_removed_entries").description("Entries those collections removed")
                .tag("instance", instance).register(registry).increment(removed);
    }

    @Override
    public void followerJoined(String instance) {
        followers.computeIfAbsent(instance, k ->
                Counter.builder("cache_proxy_fill_followers").description("Requests that joined a fill in flight")
                        .tag("instance", instance).register(registry)).increment();
    }

    @Override
    public void verificationFailed(String instance) {
        Counter.builder("cache_proxy_verification_failures").description("Bodies refused for a digest mismatch or an implausible shape")
                .tag("instance", instance).register(registry).increment();
    }

    @Override
    public void blobDamaged(String foundBy) {
        Counter.builder("cache_proxy_blobs_damaged").description(
                        "Stored blobs that no longer matched their name or entry and were quarantined")
                .tag("found_by", foundBy).register(registry).increment();
    }

    @Override
    public void repositoryRefreshed(String instance, String outcome) {
        Counter.builder("cache_proxy_repository_refreshes").description("Metadata refreshes of repository roots by outcome")
                .tag("instance", instance).tag("outcome", outcome).register(registry).increment();
    }

    @Override
    public void upstreamCircuit(String instance, String upstream, String from, String to) {
        Counter.builder("cache_proxy_circuit_breaker_events").description("Upstream circuit breaker transitions")
                .tag("instance", instance).tag("event", from + "->" + to).register(registry).increment();
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

    static String statusClass(int status) {
        return status <= 0 ? "failed" : (status / 100) + "xx";
    }
}
