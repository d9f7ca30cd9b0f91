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

    /** The proxy's port: as its URL gives it, else 80 (an HTTP proxy's default). */
    public int proxyPort() {
        return proxy.map(p -> p.getPort() > 0 ? p.getPort() : 80).orElse(0);
    }

    /** These settings with the breaker tuned by {@code h}. */
    public TransportSettings withHealth(HealthSettings h) {
        return new TransportSettings(proxy, userAgent, dialTimeout, headerTimeout, idleBodyTimeout, maxRequestDuration, h);
    }
}
