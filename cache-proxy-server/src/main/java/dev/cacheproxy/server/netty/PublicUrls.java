package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.Headers;
import java.net.InetAddress;
import java.net.URI;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The public base URL of a mount, for rewritten documents and the home page: {@code server.public_url}
 * when set; else {@code X-Forwarded-Proto}/{@code X-Forwarded-Host} when the request comes from one of
 * {@code server.trusted_proxies}; else the {@code Host} header when it is a plain {@code host[:port]};
 * else the listener's address. A client outside the trusted proxies can pick only among the names that
 * reach this listener, never an arbitrary URL, and what that costs in stored variants is bounded where
 * variants are stored.
 */
public final class PublicUrls {
    /** A host name, IPv4 or bracketed IPv6 literal, with an optional port: nothing that could bend a URL. */
    private static final Pattern HOST = Pattern.compile("([A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\])(:\\d{1,5})?");

    private final Optional<URI> configured;
    private final String fallbackHost;
    private final TrustedProxies trusted;
    private final String scheme;
    private volatile Checked lastChecked;

    public PublicUrls(Optional<URI> configured, String fallbackHost, TrustedProxies trusted) {
        this(configured, fallbackHost, trusted, "http");
    }

    /** @param scheme {@code https} on TLS listeners: what a client that reached us directly used */
    public PublicUrls(Optional<URI> configured, String fallbackHost, TrustedProxies trusted, String scheme) {
        this.scheme = scheme;
        this.configured = configured;
        this.fallbackHost = fallbackHost;
        this.trusted = trusted;
    }

    public String base(Headers h, InetAddress client, String mountPath) {
        if (configured.isPresent()) {
            String b = configured.get().toString();
            return (b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + mountPath;
        }
        boolean forwarded = trusted.contains(client);
        String proto = forwarded ? h.first("X-Forwarded-Proto").map(v -> v.split(",")[0].trim())
                .filter(p -> p.equals("http") || p.equals("https")).orElse(scheme) : scheme;
        Optional<String> host = forwarded ? h.first("X-Forwarded-Host").map(v -> v.split(",")[0].trim()) : Optional.empty();
        String chosen = host.or(() -> h.first("Host")).map(String::trim).filter(this::plainHost).orElse(fallbackHost);
        return proto + "://" + chosen + mountPath;
    }

    /** Whether {@code host} is a plain host[:port]; the last answer is kept, as nearly every request names the same host. */
    private boolean plainHost(String host) {
        Checked last = lastChecked;
        if (last != null && last.host().equals(host)) {
            return last.plain();
        }
        boolean plain = HOST.matcher(host).matches();
        lastChecked = new Checked(host, plain);
        return plain;
    }

    private record Checked(String host, boolean plain) {}
}
