package dev.cacheproxy.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HTTP requests by instance and status class, with latency; bytes served by cache result; the last five
 * minutes of each instance's traffic ({@link RecentTraffic}).
 *
 * <p>Called once per request on the event loops, so meters are looked up in our own map: building
 * them through the registry each time (tags, ids, the registry's lock-free lookup) was a visible
 * share of a small hit's cost in bench/.
 */
public final class RequestMetrics {
    private record Key(String instance, String label) {}

    private final MeterRegistry registry;
    private final Map<Key, Timer> requests = new ConcurrentHashMap<>();
    private final Map<Key, Counter> servedBytes = new ConcurrentHashMap<>();
    private final RecentTraffic recent = new RecentTraffic();

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The last five minutes of each instance's requests (the status page's "now"). */
    public RecentTraffic recent() {
        return recent;
    }

    public void record(String instance, int status, long bytes, Duration duration, String cache) {
        recent.record(instance, cache);
        requests.computeIfAbsent(new Key(instance, MicrometerCacheEvents.statusClass(status)), k ->
                Timer.builder("cache_proxy_http_requests").description("Client requests by instance and status class")
                        .tag("instance", k.instance()).tag("status", k.label()).register(registry))
                .record(duration);
        if (bytes > 0) {
            String source = RecentTraffic.fromStore(cache) ? "cache" : cache.equals("-") ? "proxy" : "upstream";
            servedBytes.computeIfAbsent(new Key(instance, source), k ->
                    Counter.builder("cache_proxy_served_bytes").description("Body bytes sent to clients, by where they came from")
                            .baseUnit("bytes").tag("instance", k.instance()).tag("source", k.label()).register(registry))
                    .increment(bytes);
        }
    }
}
