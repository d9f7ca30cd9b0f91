package dev.cacheproxy.core.upstream;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code transport} block of an instance: how its upstream HTTP client behaves. {@code proxy} is the URL as
 * configured, credentials included ({@code http://user:secret@proxy:3128}, as Go's {@code http.ProxyURL} takes them):
 * they are sent only to the proxy ({@link #proxyAuthorization}) and never shown ({@link #toString}).
 *
 * <p>{@code maxIdleConns}: idle connections kept per upstream host for reuse ({@code max_idle_conns}; the server's
 * client, whose pool is shared by the instances). {@code maxConnsPerHost}: requests of this instance in flight to
 * one host at once, from sending to the body's end ({@code max_conns_per_host}, {@link HostConnectionLimit}).
 */
public record TransportSettings(Optional<URI> proxy, String userAgent, Duration dialTimeout, Duration headerTimeout,
        Duration idleBodyTimeout, Duration maxRequestDuration, HealthSettings health, int maxIdleConns,
        int maxConnsPerHost) {
    /** The Go project's defaults for {@code max_idle_conns} and {@code max_conns_per_host}. */
    public static final int DEFAULT_MAX_IDLE_CONNS = 100;
    public static final int DEFAULT_MAX_CONNS_PER_HOST = 200;

    public static final TransportSettings DEFAULTS = new TransportSettings(Optional.empty(), "cache-proxy/1",
            Duration.ofSeconds(3), Duration.ofSeconds(30), Duration.ofMinutes(5), Duration.ofMinutes(30),
            HealthSettings.DEFAULTS);

    public TransportSettings {
        if (maxIdleConns < 1 || maxConnsPerHost < 1) {
            throw new IllegalArgumentException("connection limits must be positive");
        }
    }

    /** Settings with the default connection limits. */
    public TransportSettings(Optional<URI> proxy, String userAgent, Duration dialTimeout, Duration headerTimeout,
            Duration idleBodyTimeout, Duration maxRequestDuration, HealthSettings health) {
        this(proxy, userAgent, dialTimeout, headerTimeout, idleBodyTimeout, maxRequestDuration, health,
                DEFAULT_MAX_IDLE_CONNS, DEFAULT_MAX_CONNS_PER_HOST);
    }

    /** The proxy's port: as its URL gives it, else 80 (an HTTP proxy's default). */
    public int proxyPort() {
        return proxy.map(p -> p.getPort() > 0 ? p.getPort() : 80).orElse(0);
    }

    /**
     * The {@code Proxy-Authorization} value for the proxy URL's credentials, if it has any: sent with every request
     * to the proxy and with every {@code CONNECT}, before any challenge, as Go's transport does.
     */
    public Optional<String> proxyAuthorization() {
        return proxy.flatMap(UpstreamUrls::basicAuthorization);
    }

    /** Why the proxy answered 407, as errors say it: whether its URL had credentials. */
    public static String proxyRefusal(boolean withCredentials) {
        return withCredentials ? "transport.proxy has credentials it does not accept"
                : "transport.proxy has no credentials (http://user:password@host:port)";
    }

    /** These settings as logs and errors may show them: the proxy without its credentials. */
    @Override
    public String toString() {
        return "TransportSettings[proxy=" + proxy.map(UpstreamUrls::display).orElse("none") + ", userAgent=" + userAgent
                + ", dialTimeout=" + dialTimeout + ", headerTimeout=" + headerTimeout + ", idleBodyTimeout="
                + idleBodyTimeout + ", maxRequestDuration=" + maxRequestDuration + ", health=" + health
                + ", maxIdleConns=" + maxIdleConns + ", maxConnsPerHost=" + maxConnsPerHost + "]";
    }

    /** These settings with the breaker tuned by {@code h}. */
    public TransportSettings withHealth(HealthSettings h) {
        return new TransportSettings(proxy, userAgent, dialTimeout, headerTimeout, idleBodyTimeout, maxRequestDuration, h,
                maxIdleConns, maxConnsPerHost);
    }
}
