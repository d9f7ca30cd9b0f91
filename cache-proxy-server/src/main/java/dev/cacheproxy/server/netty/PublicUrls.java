package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.Headers;
import java.net.URI;
import java.util.Optional;

/**
 * The public base URL of a mount, for rewritten documents and the home page: {@code server.public_url}
 * when set, else {@code X-Forwarded-Proto}/{@code X-Forwarded-Host}, else the {@code Host} header.
 */
public final class PublicUrls {
    private final Optional<URI> configured;
    private final String fallbackHost;

    public PublicUrls(Optional<URI> configured, String fallbackHost) {
        this.configured = configured;
        this.fallbackHost = fallbackHost;
    }

    public String base(Headers h, String mountPath) {
        if (configured.isPresent()) {
            String b = configured.get().toString();
            return (b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + mountPath;
        }
        String proto = h.first("X-Forwarded-Proto").map(v -> v.split(",")[0].trim()).orElse("http");
        String host = h.first("X-Forwarded-Host").map(v -> v.split(",")[0].trim())
                .or(() -> h.first("Host")).orElse(fallbackHost);
        return proto + "://" + host + mountPath;
    }
}
