package dev.cacheproxy.core.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** The {@code transport} block of an instance: how its upstream HTTP client behaves. */
public record TransportSettings(Optional<URI> proxy, String userAgent, Duration dialTimeout, Duration headerTimeout,
        Duration idleBodyTimeout, Duration maxRequestDuration, HealthSettings health) {
    public static final TransportSettings DEFAULTS = new TransportSettings(Optional.empty(), "cache-proxy/1",
            Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(30),
            HealthSettings.DEFAULTS);

    /** These settings with the breaker tuned by {@code h}. */
    public TransportSettings withHealth(HealthSettings h) {
        return new TransportSettings(proxy, userAgent, dialTimeout, headerTimeout, idleBodyTimeout, maxRequestDuration, h);
    }
}
