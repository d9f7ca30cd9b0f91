package dev.cacheproxy.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** HTTP requests by instance and status class, with latency; bytes served by cache result. */
public final class RequestMetrics {
    private final MeterRegistry registry;

    public RequestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void record(String instance, int status, long bytes, Duration duration, String cache) {
        Timer.builder("cache_proxy_http_requests").description("Client requests by instance and status class")
                .tag("instance", instance).tag("status", MicrometerCacheEvents.statusClass(status))
                .register(registry).record(duration);
        if (bytes > 0) {
            String source = switch (cache) {
                case "HIT", "STALE", "REVALIDATED" -> "cache";
                case "-" -> "proxy";
                default -> "upstream";
            };
            Counter.builder("cache_proxy_served_bytes").description("Body bytes sent to clients, by where they came from")
                    .baseUnit("bytes").tag("instance", instance).tag("source", source).register(registry)
                    .increment(bytes);
        }
    }
}
