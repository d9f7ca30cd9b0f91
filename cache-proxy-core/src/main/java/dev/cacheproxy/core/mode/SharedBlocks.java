package dev.cacheproxy.core.mode;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.config.ByteSize;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.config.Glob;
import dev.cacheproxy.core.config.GoDuration;
import dev.cacheproxy.core.upstream.HealthSettings;
import dev.cacheproxy.core.upstream.TransportSettings;
import dev.cacheproxy.core.upstream.UpstreamUrls;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** Readers for the sub-blocks every mode shares: {@code route}, {@code bind}, {@code transport}, {@code pass_headers}. */
public final class SharedBlocks {
    /** Never forwarded even when listed in {@code pass_headers}. */
    private static final Set<String> NEVER_PASSED = Set.of("host", "authorization", "connection", "keep-alive",
            "proxy-authorization", "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade",
            "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-prefix", "x-real-ip",
            "content-length");

    private SharedBlocks() {}

    /** {@code route.path}: required for path-mounted modes; normalised to {@code /a/b}. */
    public static Mount route(ConfigBlock block) {
        Optional<ConfigBlock> route = block.block("route");
        if (route.isEmpty()) {
            block.error("route", "missing (expected route: { path: /mount })");
            return new Mount.Path("/invalid");
        }
        Optional<String> path = route.get().requiredString("path");
        if (path.isEmpty()) {
            return new Mount.Path("/invalid");
        }
        String p = normaliseMount(path.get());
        if (p == null) {
            route.get().error("path", "'" + path.get() + "' is not a usable mount (expected e.g. /npm; not /, no '..')");
            return new Mount.Path("/invalid");
        }
        return new Mount.Path(p);
    }

    /** Normalises a mount path, or returns null when it is empty, "/" or unsafe. */
    public static String normaliseMount(String raw) {
        List<String> segs = new ArrayList<>();
        for (String s : raw.trim().split("/")) {
            if (s.isEmpty() || s.equals(".")) continue;
            if (s.equals("..") || s.contains("\\") || s.contains("%") || s.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
                return null;
            }
            segs.add(s);
        }
        return segs.isEmpty() ? null : "/" + String.join("/", segs);
    }

    /** {@code bind}: a {@code host:port} whose host is empty, localhost or an IP literal. */
    public static Mount bind(ConfigBlock block) {
        Optional<String> bind = block.requiredString("bind");
        if (bind.isPresent()) {
            String err = checkHostPort(bind.get());
            if (err != null) {
                block.error("bind", err);
            }
            return new Mount.Bind(bind.get().trim());
        }
        return new Mount.Bind("invalid:0");
    }

    /** Returns an error message, or null when {@code hostPort} is a valid listen address. */
    public static String checkHostPort(String hostPort) {
        String hp = hostPort.trim();
        int colon = hp.lastIndexOf(':');
        if (colon < 0) {
            return "'" + hostPort + "' is not host:port (expected e.g. 127.0.0.1:18080)";
        }
        String host = hp.substring(0, colon);
        String port = hp.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int p;
        try {
            p = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            return "'" + hostPort + "' has no valid port (expected 0-65535)";
        }
        if (p < 0 || p > 65535) {
            return "'" + hostPort + "' has no valid port (expected 0-65535)";
        }
        if (!host.isEmpty() && !host.equals("localhost") && !isIpLiteral(host)) {
            return "'" + hostPort + "': host must be empty, localhost or an IP address";
        }
        return null;
    }

    private static boolean isIpLiteral(String host) {
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            for (String part : host.split("\\.")) {
                if (Integer.parseInt(part) > 255) return false;
            }
            return true;
        }
        return host.contains(":") && host.matches("[0-9a-fA-F:.]+");
    }

    /** A required glob field of a rule ({@code match}); empty (with the problem recorded) when missing or invalid. */
    public static Optional<Glob> glob(ConfigBlock b, String key) {
        Optional<String> pattern = b.requiredString(key);
        if (pattern.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Glob.compile(pattern.get()));
        } catch (IllegalArgumentException e) {
            b.error(key, "'" + pattern.get() + "' is not a valid glob: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** A policy field ({@code bypass | immutable | revalidate}), {@code dflt} when absent. */
    public static CachePolicy policy(ConfigBlock b, String key, CachePolicy dflt) {
        return b.oneOf(key, CachePolicy.NAMES).map(CachePolicy::parse).orElse(dflt);
    }

    /** A busy-policy field ({@code bypass | stale}), {@code dflt} when absent. */
    public static BusyPolicy busyPolicy(ConfigBlock b, String key, BusyPolicy dflt) {
        return b.oneOf(key, BusyPolicy.NAMES).map(BusyPolicy::parse).orElse(dflt);
    }

    /**
     * The one required {@code upstream} URL of a registry mode; a missing one is reported as
     * "{@code requirement} (e.g. upstream: ${exampleVariable})". Null only when a problem was recorded.
     */
    public static URI upstream(ConfigBlock b, String requirement, String exampleVariable) {
        if (!b.has("upstream")) {
            b.error("upstream", "missing: " + requirement + " (e.g. upstream: ${" + exampleVariable + "})");
        }
        return b.httpUrl("upstream").orElse(null);
    }

    /** Default lifetime of a remembered 404/410 (an extension of the Go schema: {@code negative_cache_for}). */
    public static final Duration DEFAULT_NEGATIVE_CACHE_FOR = Duration.ofMinutes(1);

    /** A freshness field; as in the Go project, a finite one must be at least one second. */
    public static Optional<Freshness> freshness(ConfigBlock b, String key) {
        Optional<Freshness> f = b.freshness(key);
        if (f.isPresent() && !f.get().forever() && f.get().window().compareTo(Duration.ofSeconds(1)) < 0) {
            b.error(key, "must be at least 1s (or forever)");
        }
        return f;
    }

    /** {@code negative_cache_for}: how long an upstream 404/410 is remembered; 0 disables it. */
    public static Duration negativeCacheFor(ConfigBlock b) {
        Duration negative = b.duration("negative_cache_for").orElse(DEFAULT_NEGATIVE_CACHE_FOR);
        if (negative.isNegative()) {
            b.error("negative_cache_for", "must not be negative (0 disables negative caching)");
        }
        return negative;
    }

    /** A size field ({@code 8GiB}, {@code 512MiB}, bytes): above zero, {@code dflt} when absent. */
    public static long positiveByteSize(ConfigBlock b, String key, long dflt) {
        Optional<String> raw = b.string(key);
        if (raw.isEmpty()) {
            return dflt;
        }
        try {
            long size = ByteSize.parse(raw.get());
            if (size <= 0) {
                b.error(key, "must be above 0");
            }
            return size;
        } catch (IllegalArgumentException e) {
            b.error(key, e.getMessage());
            return dflt;
        }
    }

    public static Expiration expireAfter(ConfigBlock block) {
        return block.expiration("expire_after").orElse(Expiration.DEFAULT);
    }

    /** The {@code transport} block, with the Go project's defaults. */
    public static TransportSettings transport(ConfigBlock block) {
        Optional<ConfigBlock> t = block.block("transport");
        if (t.isEmpty()) {
            return TransportSettings.DEFAULTS;
        }
        ConfigBlock c = t.get();
        TransportSettings d = TransportSettings.DEFAULTS;
        Optional<URI> proxy = c.httpUrl("proxy").filter(p -> {
            // both clients speak plain HTTP to the proxy (CONNECT for HTTPS upstreams); TLS to it is not supported
            boolean plain = p.getScheme().equalsIgnoreCase("http");
            if (!plain) {
                c.error("proxy", "'" + UpstreamUrls.display(p) + "': an https:// proxy is not supported; give its "
                        + "plain http:// address (HTTPS upstreams still go through it encrypted, in a CONNECT tunnel)");
            }
            return plain;
        });
        String ua = c.string("ua").orElse(d.userAgent());
        // The Go README documents transport.timeout as the dial timeout; the code calls it dial_timeout.
        if (c.has("timeout") && c.has("dial_timeout")) {
            c.error("timeout", "set either timeout or dial_timeout (the same dial timeout), not both");
        }
        Duration dial = positive(c, "dial_timeout", positive(c, "timeout", d.dialTimeout()));
        Duration header = positive(c, "header_timeout", d.headerTimeout());
        Duration idle = positive(c, "idle_body_timeout", d.idleBodyTimeout());
        Duration total = positive(c, "max_request_duration", d.maxRequestDuration());
        int maxIdle = positive(c, "max_idle_conns", d.maxIdleConns());
        int maxPerHost = positive(c, "max_conns_per_host", d.maxConnsPerHost());
        HealthSettings health = c.block("health").map(SharedBlocks::health).orElse(HealthSettings.DEFAULTS);
        return new TransportSettings(proxy, ua, dial, header, idle, total, health, maxIdle, maxPerHost);
    }

    /**
     * {@code transport.health}, with the Go project's fields, defaults and validation: the passive breaker
     * ({@link dev.cacheproxy.core.upstream.UpstreamHealth}) and the active probes
     * ({@link dev.cacheproxy.core.upstream.UpstreamProber}). The {@code resource_*} keys are read with their
     * types (a typo is still an error) and answered with one warning.
     */
    private static HealthSettings health(ConfigBlock h) {
        HealthSettings d = HealthSettings.DEFAULTS;
        double degrade = h.number("degrade_rate").orElse(d.degradeRate());
        double trip = h.number("trip_rate").orElse(d.tripRate());
        if (!(degrade < trip && trip <= 1)) {
            h.error("trip_rate", "degrade_rate (" + degrade + ") must be below trip_rate (" + trip + "), and trip_rate at most 1");
        }
        double minWeight = h.number("min_weight").orElse(d.minWeight());
        if (minWeight <= 0 || minWeight > 1) {
            h.error("min_weight", "must be above 0 and at most 1");
        }
        double step = h.number("canary_step").orElse(d.canaryStep());
        if (step <= 0 || step > 1) {
            h.error("canary_step", "must be above 0 and at most 1");
        }
        Duration cooldown = h.duration("canary_cooldown").orElse(d.canaryCooldown());
        if (cooldown.compareTo(Duration.ofSeconds(10)) < 0) {
            h.error("canary_cooldown", "must be at least 10s");
        }
        Duration window = h.duration("evaluation_window").orElse(d.evaluationWindow());
        Duration latency = h.duration("degrade_latency").orElse(d.degradeLatency());
        boolean probes = h.bool("enabled").orElse(d.probes());
        Duration probeInterval = h.duration("probe_interval").orElse(d.probeInterval());
        if (probeInterval.compareTo(Duration.ofSeconds(30)) < 0) {
            h.error("probe_interval", "must be at least 30s");
        }
        Duration probeTimeout = h.duration("probe_timeout").orElse(d.probeTimeout());
        if (probeTimeout.isNegative() || probeTimeout.isZero() || probeTimeout.compareTo(probeInterval) >= 0) {
            h.error("probe_timeout", "must be above 0 and below probe_interval");
        }
        if (window.compareTo(probeInterval) < 0) {
            h.error("evaluation_window", "must be at least probe_interval (" + GoDuration.format(probeInterval) + ")");
        }
        boolean resourceKeys = false;
        for (String k : List.of("resource_block_interval", "resource_remove_age")) {
            resourceKeys |= h.duration(k).isPresent();
        }
        resourceKeys |= h.integer("resource_remove_count").isPresent();
        if (resourceKeys) {
            h.warn("resource_remove_count", "the resource_* keys are accepted and ignored: a repository root that keeps "
                    + "failing backs off and turns suspect, and is removed after its metadata has been missing 5 times");
        }
        return new HealthSettings(degrade, trip, window, latency, minWeight, cooldown, step, probes, probeInterval,
                probeTimeout);
    }

    private static int positive(ConfigBlock c, String key, int dflt) {
        return c.integer(key).filter(v -> v > 0).orElse(dflt); // as in the Go project: 0 or less is the default
    }

    private static Duration positive(ConfigBlock c, String key, Duration dflt) {
        Optional<Duration> v = c.duration(key);
        if (v.isPresent() && (v.get().isNegative() || v.get().isZero())) {
            return dflt; // as in the Go project: non-positive means "use the default"
        }
        return v.orElse(dflt);
    }

    /**
     * {@code upstreams}: one or more http(s) base URLs; {@code who} names the mode in the message when the
     * list is missing or empty ({@code "file mode"}, {@code "the deb mode"}).
     */
    public static List<URI> upstreams(ConfigBlock b, String who) {
        return upstreams(b, "upstreams", who);
    }

    /** A list of upstream URLs under {@code key} (go's {@code proxies}). */
    public static List<URI> upstreams(ConfigBlock b, String key, String who) {
        List<URI> urls = b.httpUrlList(key);
        if (!b.has(key)) {
            b.error(key, "missing: " + who + " requires at least one upstream");
        } else if (urls.isEmpty() && b.stringList(key).isEmpty()) {
            b.error(key, who + " requires at least one upstream");
        }
        return urls;
    }

    /** {@code pass_headers}: header names copied from the client to the upstream. */
    public static List<String> passHeaders(ConfigBlock block) {
        List<String> out = new ArrayList<>();
        for (String h : block.stringList("pass_headers")) {
            String name = h.trim();
            if (name.isEmpty() || name.chars().anyMatch(c -> c <= ' ' || c == ':' || c >= 0x7f)) {
                block.error("pass_headers", "'" + h + "' is not a header name");
            } else if (!NEVER_PASSED.contains(name.toLowerCase(Locale.ROOT))) {
                out.add(name);
            }
        }
        return List.copyOf(out);
    }
}
