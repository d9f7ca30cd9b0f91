package dev.cacheproxy.server.config;

import dev.cacheproxy.core.config.ByteSize;
import dev.cacheproxy.core.config.HttpUrls;
import dev.cacheproxy.core.index.HotEntries;
import dev.cacheproxy.core.mode.Configured;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.Mount;
import dev.cacheproxy.core.mode.SharedBlocks;
import dev.cacheproxy.core.quota.StorageLimits;
import dev.cacheproxy.modes.ModeRegistry;
import dev.cacheproxy.s3.S3Settings;
import dev.cacheproxy.server.access.AccessControl;
import dev.cacheproxy.server.access.AccessSettings;
import dev.cacheproxy.server.netty.TrustedProxies;
import dev.cacheproxy.server.tls.TlsSettings;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Turns YAML text into an {@link AppConfig}, reporting every problem of the file at once: unknown
 * keys, wrong types, missing fields, duplicate names, clashing routes and binds, bad URLs, mode blocks
 * that are missing, doubled or not available. Each problem names its YAML path and line.
 *
 * <p>The schema is the Go project's (snake_case, same names and defaults); additions are optional.
 */
public final class ConfigLoader {
    private static final Pattern NAME = Pattern.compile("^[a-zA-Z0-9_-]+$");
    private static final List<String> LOG_LEVELS = List.of("trace", "debug", "info", "warn", "error");

    private final Map<String, String> env;

    public ConfigLoader(Map<String, String> env) {
        this.env = env;
    }

    public static ConfigLoader withSystemEnv() {
        return new ConfigLoader(System.getenv());
    }

    public AppConfig load(String yaml) throws ConfigException {
        ConfigProblems problems = new ConfigProblems();
        YamlNode root = new YamlReader(problems).read(yaml);
        if (root == null) {
            throw new ConfigException(problems.all());
        }
        Optional<YamlBlock> top = YamlBlock.of(root, "", root.line(), problems, env);
        if (top.isEmpty()) {
            throw new ConfigException(problems.all());
        }
        YamlBlock t = top.get();
        AppConfig.Server server = server(t);
        AppConfig.Metrics metrics = metrics(t);
        AppConfig.Storage storage = storage(t);
        AppConfig.Logging logging = logging(t);
        List<AppConfig.Instance> instances = instances(t, server, metrics);
        t.finish();
        if (!problems.isEmpty()) {
            throw new ConfigException(problems.all());
        }
        return new AppConfig(server, metrics, storage, logging, instances,
                problems.warnings().stream().map(Object::toString).toList());
    }

    private AppConfig.Server server(YamlBlock t) {
        YamlBlock s = t.child("server").orElse(empty(t, "server"));
        String bind = s.string("bind").map(String::trim).orElse("127.0.0.1:18080");
        String err = SharedBlocks.checkHostPort(bind);
        if (err != null) {
            s.error("bind", err);
        }
        Path backend = Path.of(s.string("backend").map(String::trim).orElse("/tmp/cache-proxy"));
        var publicUrl = s.httpUrl("public_url");
        List<String> trusted = new ArrayList<>();
        for (String cidr : s.stringList("trusted_proxies")) {
            String err2 = TrustedProxies.check(cidr);
            if (err2 != null) {
                s.error("trusted_proxies", err2);
            } else {
                trusted.add(cidr.trim());
            }
        }
        int maxConnections = s.integer("max_connections").orElse(10_000);
        if (maxConnections < 1) {
            s.error("max_connections", "must be at least 1");
        }
        Duration idle = positive(s, "idle_timeout", Duration.ofSeconds(60));
        Duration shutdown = positive(s, "shutdown_timeout", Duration.ofSeconds(10));
        s.child("status").ifPresent(st -> {
            // Accepted for compatibility: the Go project's dashboard sampling settings.
            Duration sample = positive(st, "disk_sample_interval", Duration.ofMinutes(15));
            Duration window = positive(st, "disk_history_window", Duration.ofHours(24));
            st.integer("event_limit");
            if (window.compareTo(sample) < 0) {
                st.error("disk_history_window", "must be greater than or equal to disk_sample_interval");
            }
        });
        Optional<String> adminToken = s.string("admin_token").filter(v -> !v.isEmpty());
        return new AppConfig.Server(bind, backend, publicUrl, maxConnections, idle, shutdown, List.copyOf(trusted),
                adminToken, s.child("tls").flatMap(ConfigLoader::tls), s.bool("h2c").orElse(false));
    }

    /**
     * {@code server.tls}: {@code certificate} and {@code key} (PEM files, required), {@code client_ca} (PEM,
     * optional; an empty value, as {@code ${TLS_CLIENT_CA:-}} gives, means none), {@code client_auth}
     * ({@code require}, the default with a client CA, or {@code optional}), {@code provider} ({@code auto},
     * {@code openssl}, {@code jdk}) and {@code reload_interval} (how often the files are checked for a rotated
     * certificate). The files must exist and be readable here; whether they hold a usable certificate and
     * key is checked when the listeners start (and by {@code -validate}).
     */
    private static Optional<TlsSettings> tls(YamlBlock b) {
        Optional<Path> cert = readableFile(b, "certificate", true);
        Optional<Path> key = readableFile(b, "key", true);
        Optional<Path> ca = readableFile(b, "client_ca", false);
        String auth = b.oneOf("client_auth", List.of("require", "optional")).orElse("require");
        if (b.has("client_auth") && ca.isEmpty()) {
            b.warn("client_auth", "ignored without a client_ca: no client certificate is asked for");
        }
        TlsSettings.Provider provider = TlsSettings.Provider.valueOf(b.oneOf("provider", List.of("auto", "openssl", "jdk"))
                .orElse("auto").toUpperCase(Locale.ROOT));
        Duration reload = positive(b, "reload_interval", TlsSettings.DEFAULT_RELOAD_INTERVAL);
        if (cert.isEmpty() || key.isEmpty()) {
            return Optional.empty();
        }
        TlsSettings.ClientAuth clientAuth = ca.isEmpty() ? TlsSettings.ClientAuth.NONE
                : auth.equals("optional") ? TlsSettings.ClientAuth.OPTIONAL : TlsSettings.ClientAuth.REQUIRE;
        return Optional.of(new TlsSettings(cert.get(), key.get(), ca, clientAuth, provider, reload));
    }

    /** A file named by {@code key}: present (when required), existing and readable, else an error at its YAML path. */
    private static Optional<Path> readableFile(YamlBlock b, String key, boolean required) {
        Optional<String> value = required ? b.requiredString(key) : b.string(key);
        Optional<Path> path = value.map(String::trim).filter(v -> !v.isEmpty()).map(Path::of);
        if (path.isPresent() && !(Files.isRegularFile(path.get()) && Files.isReadable(path.get()))) {
            b.error(key, path.get() + " is not a readable file");
            return Optional.empty();
        }
        if (required && value.isPresent() && path.isEmpty()) {
            b.error(key, "must name a PEM file");
        }
        return path;
    }

    private AppConfig.Metrics metrics(YamlBlock t) {
        YamlBlock m = t.child("metrics").orElse(empty(t, "metrics"));
        String path = m.string("path").map(String::trim).orElse("/metrics");
        if (!path.startsWith("/") || path.equals("/") || path.contains("//") || path.endsWith("/")
                || path.chars().anyMatch(c -> Character.isWhitespace(c) || c == '{' || c == '}')) {
            m.error("path", "'" + path + "' is not a usable metrics path (expected e.g. /metrics)");
        }
        Optional<String> token = m.string("token").filter(s -> !s.isEmpty());
        return new AppConfig.Metrics(path, token);
    }

    private AppConfig.Storage storage(YamlBlock t) {
        YamlBlock s = t.child("storage").orElse(empty(t, "storage"));
        Optional<String> orphan = s.string("orphan_policy");
        Duration gc = s.child("gc").map(g -> positive(g, "blob", Duration.ofHours(24))).orElse(Duration.ofHours(24));
        YamlBlock c = s.child("cleanup").orElse(empty(s, "cleanup"));
        // The Go README documents enabled (default false) and interval (6h); the Go code knows neither and
        // always cleans every 6h. A config without the key behaves as the code does; "enabled: false" stops it.
        boolean cleanupEnabled = c.bool("enabled").orElse(true);
        Duration cleanupInterval = positive(c, "interval", Duration.ofHours(6));
        boolean dryRun = c.bool("dry_run").orElse(false);
        int batch = positiveInt(c, "batch_size", 500);
        int workers = positiveInt(c, "workers", 1);
        YamlBlock d = s.child("download").orElse(empty(s, "download"));
        int maxActive = positiveInt(d, "max_active", 256);
        int perInstance = positiveInt(d, "max_active_per_instance", 64);
        // Documented by the Go README for its per-host admission (token bucket, queue wait); accepted so
        // that its configs run, with one warning: our fills are bounded by max_active and max_active_per_instance.
        for (String key : List.of("max_active_per_host", "max_background", "request_burst_per_host")) {
            if (d.integer(key).isPresent()) {
                d.warn(key, "accepted and ignored: upstream fills are bounded by max_active and max_active_per_instance");
            }
        }
        if (d.number("requests_per_second_per_host").isPresent()) {
            d.warn("requests_per_second_per_host",
                    "accepted and ignored: upstream fills are bounded by max_active and max_active_per_instance");
        }
        if (d.duration("foreground_queue_wait").isPresent()) {
            d.warn("foreground_queue_wait", "accepted and ignored: a request waits for a fill slot as long as it takes");
        }
        YamlBlock sc = s.child("scrub").orElse(empty(s, "scrub"));
        long scrubRate = sc.string("rate").map(r -> {
            try {
                return ByteSize.parse(r);
            } catch (IllegalArgumentException | ArithmeticException e) {
                sc.error("rate", e.getMessage());
                return 0L;
            }
        }).orElse(AppConfig.Storage.DEFAULT_SCRUB_RATE);
        Duration scrubInterval = positive(sc, "interval", Duration.ofHours(24));
        StorageLimits limits = limits(s);
        Optional<S3Settings> s3 = s3(s);
        if (s3.isPresent() && limits.hasQuota()) {
            s.error("max_size", "applies to the file backend; bound a bucket with its lifecycle rules "
                    + "(storage.s3.local_max_size bounds this node's disk)");
        }
        long hotIndexSize = size(s, "hot_index_size", HotEntries.DEFAULT_BYTES);
        if (hotIndexSize < 1 << 20) {
            s.error("hot_index_size", "must be at least 1MiB (it is the memory that keeps hits from reading index files)");
        }
        return new AppConfig.Storage(gc, cleanupEnabled, cleanupInterval, dryRun, batch, workers, maxActive,
                perInstance, orphan, scrubRate, scrubInterval, limits, s3, hotIndexSize);
    }

    /** {@code storage.backend} ({@code file}, the default, or {@code s3}) and the {@code storage.s3} block. */
    private static Optional<S3Settings> s3(YamlBlock s) {
        String backend = s.oneOf("backend", List.of("file", "s3")).orElse("file");
        Optional<YamlBlock> block = s.child("s3");
        if (!backend.equals("s3")) {
            if (block.isPresent()) {
                s.warn("s3", "ignored: storage.backend is not s3");
            }
            return Optional.empty();
        }
        if (block.isEmpty()) {
            s.error("s3", "is required with storage.backend: s3 (bucket, and endpoint for an S3-compatible service)");
            return Optional.empty();
        }
        YamlBlock b = block.get();
        Optional<String> bucket = b.requiredString("bucket");
        Optional<URI> endpoint = b.string("endpoint").filter(v -> !v.isBlank()).flatMap(v ->
                HttpUrls.parse(v, problem -> b.error("endpoint", problem)));
        Optional<String> accessKey = b.string("access_key").filter(v -> !v.isEmpty());
        Optional<String> secretKey = b.string("secret_key").filter(v -> !v.isEmpty());
        if (accessKey.isPresent() != secretKey.isPresent()) {
            b.error(accessKey.isPresent() ? "secret_key" : "access_key",
                    "access_key and secret_key go together (or neither, for the SDK's default credentials)");
        }
        String region = b.string("region").map(String::trim).filter(v -> !v.isEmpty()).orElse(S3Settings.DEFAULT_REGION);
        boolean pathStyle = b.bool("path_style").orElse(endpoint.isPresent());
        long localMax = size(b, "local_max_size", S3Settings.DEFAULT_LOCAL_MAX_SIZE);
        String prefix = b.string("prefix").map(String::trim).orElse("");
        if (prefix.startsWith("/")) {
            b.error("prefix", "'" + prefix + "' must not start with /");
        }
        return bucket.map(name -> new S3Settings(name, prefix, region, endpoint, pathStyle, accessKey, secretKey, localMax));
    }

    /** {@code storage.max_size}, its watermarks and {@code storage.min_free} (extensions of ours). */
    private static StorageLimits limits(YamlBlock s) {
        long maxSize = size(s, "max_size", 0);
        double high = fraction(s, "high_watermark", StorageLimits.DEFAULT_HIGH_WATERMARK);
        double low = fraction(s, "low_watermark", StorageLimits.DEFAULT_LOW_WATERMARK);
        if (low >= high) {
            s.error("low_watermark", "must be below high_watermark (" + low + " >= " + high + ")");
            low = high / 2;
        }
        if (maxSize == 0 && (s.has("high_watermark") || s.has("low_watermark"))) {
            s.warn("high_watermark", "the watermarks apply to storage.max_size, which is not set: nothing is evicted");
        }
        long minFree = size(s, "min_free", StorageLimits.DEFAULT_MIN_FREE);
        return new StorageLimits(maxSize, high, low, minFree);
    }

    private static long size(YamlBlock b, String key, long otherwise) {
        return b.string(key).map(v -> {
            try {
                return ByteSize.parse(v);
            } catch (IllegalArgumentException | ArithmeticException e) {
                b.error(key, e.getMessage());
                return otherwise;
            }
        }).orElse(otherwise);
    }

    /** A share written {@code 0.9} or {@code 90%}, above 0 and at most 1. */
    private static double fraction(YamlBlock b, String key, double otherwise) {
        return b.string(key).map(String::trim).map(v -> {
            try {
                double d = v.endsWith("%") ? Double.parseDouble(v.substring(0, v.length() - 1).trim()) / 100
                        : Double.parseDouble(v);
                if (d > 0 && d <= 1) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            b.error(key, "'" + v + "' is not a share of storage.max_size (expected e.g. 0.9 or 90%)");
            return otherwise;
        }).orElse(otherwise);
    }

    private AppConfig.Logging logging(YamlBlock t) {
        YamlBlock l = t.child("logging").orElse(empty(t, "logging"));
        return new AppConfig.Logging(l.oneOf("level", LOG_LEVELS));
    }

    private List<AppConfig.Instance> instances(YamlBlock t, AppConfig.Server server, AppConfig.Metrics metrics) {
        List<AppConfig.Instance> out = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        Map<String, String> routes = new HashMap<>();
        Map<String, String> binds = new HashMap<>();
        binds.put(normaliseBind(server.bind()), "server.bind");
        for (YamlBlock i : t.children("instances")) {
            Optional<String> name = i.requiredString("name");
            name.ifPresent(n -> {
                if (!NAME.matcher(n).matches()) {
                    i.error("name", "'" + n + "' is not a valid instance name (letters, digits, _ and - only)");
                } else if (names.putIfAbsent(n, i.path()) != null) {
                    i.error("name", "duplicate instance name '" + n + "' (also at " + names.get(n) + ")");
                }
            });
            boolean enabled = i.bool("enabled").orElse(false);
            List<String> modeKeys = i.keys().stream().filter(ModeRegistry::isModeKey).toList();
            if (modeKeys.isEmpty()) {
                i.error("name", "instance has no mode block (one of: " + String.join(", ", ModeRegistry.availableKeys())
                        + ")");
                continue;
            }
            if (modeKeys.size() > 1) {
                for (String k : modeKeys.subList(1, modeKeys.size())) {
                    i.markRead(k);
                    i.error(k, "instance has more than one mode block (" + String.join(", ", modeKeys)
                            + "); exactly one is allowed");
                }
            }
            String key = modeKeys.get(0);
            Optional<String> unavailable = ModeRegistry.unavailableReason(key);
            if (unavailable.isPresent()) {
                i.markRead(key);
                i.error(key, unavailable.get());
                continue;
            }
            Mode<?> mode = ModeRegistry.find(key).orElseThrow();
            Optional<YamlBlock> block = i.child(key);
            if (block.isEmpty()) {
                continue;
            }
            Configured<?> configured = mode.configure(block.get());
            checkMount(block.get(), configured.config().mount(), routes, binds, metrics);
            AccessSettings access = i.child("access").map(ConfigLoader::access).orElse(AccessSettings.OPEN);
            out.add(new AppConfig.Instance(name.orElse("?"), enabled, configured, access));
        }
        return List.copyOf(out);
    }

    /**
     * An instance's {@code access} block: {@code anonymous} (none, read, the default, or write), {@code networks}
     * (CIDR ranges or addresses allowed at all), {@code principals} (each a {@code name}, a {@code scope} read,
     * write or admin, and a {@code token_sha256} (hex), a {@code token_file} or a {@code token} (use {@code ${VAR}}; hashed
     * here, never kept), and/or a {@code tls_subject}), {@code rate_limit} ({@code requests_per_second},
     * {@code burst}, {@code per}: principal or address).
     */
    private static AccessSettings access(YamlBlock b) {
        AccessSettings.Scope anonymous = scope(b, "anonymous", AccessSettings.Scope.READ, true);
        List<String> networks = new ArrayList<>();
        for (String cidr : b.stringList("networks")) {
            String err = TrustedProxies.check(cidr);
            if (err != null) {
                b.error("networks", err);
            } else {
                networks.add(cidr.trim());
            }
        }
        List<AccessSettings.Principal> principals = new ArrayList<>();
        Map<String, String> names = new HashMap<>();
        for (YamlBlock p : b.children("principals")) {
            String name = p.requiredString("name").orElse("?");
            if (names.putIfAbsent(name, p.path()) != null) {
                p.error("name", "duplicate principal '" + name + "'");
            }
            AccessSettings.Scope scope = scope(p, "scope", AccessSettings.Scope.READ, false);
            Optional<String> hash = p.string("token_sha256").map(String::trim).filter(v -> !v.isEmpty());
            if (hash.isPresent() && !hash.get().matches("[0-9a-fA-F]{64}")) {
                p.error("token_sha256", "must be 64 hex digits: the SHA-256 of the token (sha256sum)");
                hash = Optional.empty();
            }
            Optional<String> plain = p.string("token").filter(v -> !v.isEmpty());
            if (p.has("token") && plain.isEmpty()) {
                p.error("token", "is empty (an unset ${VAR}?): a principal without a token would never match");
            }
            if (plain.isPresent()) {
                hash = Optional.of(AccessControl.sha256Hex(plain.get()));
            }
            Optional<Path> file = p.string("token_file").map(String::trim).filter(v -> !v.isEmpty()).map(Path::of);
            if (file.isPresent() && !Files.isReadable(file.get())) {
                p.error("token_file", file.get() + " is not a readable file");
            }
            Optional<String> subject = p.string("tls_subject").map(String::trim).filter(v -> !v.isEmpty());
            int ways = (p.has("token_sha256") ? 1 : 0) + (p.has("token") ? 1 : 0) + (p.has("token_file") ? 1 : 0);
            if (ways > 1) {
                p.error("name", "give one of token, token_sha256 and token_file");
            }
            if (ways == 0 && subject.isEmpty()) {
                p.error("name", "a principal needs a token, token_sha256, token_file or tls_subject");
            }
            principals.add(new AccessSettings.Principal(name, scope, hash.map(h -> h.toLowerCase(Locale.ROOT)), file,
                    subject));
        }
        Optional<AccessSettings.RateLimit> rate = b.child("rate_limit").flatMap(r -> {
            Optional<Double> perSecond = r.number("requests_per_second");
            if (perSecond.isEmpty() || perSecond.get() <= 0) {
                r.error("requests_per_second", "is required and must be above 0");
                return Optional.empty();
            }
            int burst = positiveInt(r, "burst", (int) Math.max(1, Math.ceil(perSecond.get())));
            boolean perAddress = r.oneOf("per", List.of("principal", "address")).orElse("principal").equals("address");
            return Optional.of(new AccessSettings.RateLimit(perSecond.get(), burst, perAddress));
        });
        return new AccessSettings(anonymous, List.copyOf(networks), List.copyOf(principals), rate);
    }

    private static AccessSettings.Scope scope(YamlBlock b, String key, AccessSettings.Scope dflt, boolean noneAllowed) {
        // admin (write plus browsing and purging the instance's entries) is for principals, never anonymous
        List<String> allowed = noneAllowed ? List.of("none", "read", "write") : List.of("read", "write", "admin");
        return b.oneOf(key, allowed).map(v -> AccessSettings.Scope.valueOf(v.toUpperCase(Locale.ROOT))).orElse(dflt);
    }

    private static void checkMount(YamlBlock b, Mount mount, Map<String, String> routes, Map<String, String> binds,
            AppConfig.Metrics metrics) {
        switch (mount) {
            case Mount.Path p -> {
                if (p.path().equals("/invalid")) {
                    return;
                }
                if (p.path().equals(metrics.path()) || p.path().equals("/-") || p.path().startsWith("/-/")) {
                    b.error("route", "path " + p.path() + " is reserved for the admin endpoints");
                } else if (routes.putIfAbsent(p.path(), b.path()) != null) {
                    b.error("route", "path " + p.path() + " is already mounted by " + routes.get(p.path()));
                }
            }
            case Mount.Bind bind -> {
                String n = normaliseBind(bind.hostPort());
                // port 0 asks the OS for a free port: never the same as another listener's
                if (!n.endsWith(":0") && binds.putIfAbsent(n, b.path()) != null) {
                    b.error("bind", "address " + bind.hostPort() + " is already used by " + binds.get(n));
                }
            }
        }
    }

    private static String normaliseBind(String hostPort) {
        return hostPort.trim().toLowerCase(Locale.ROOT).replace("localhost:", "127.0.0.1:");
    }

    private static Duration positive(YamlBlock b, String key, Duration dflt) {
        Optional<Duration> d = b.duration(key);
        if (d.isPresent() && (d.get().isNegative() || d.get().isZero())) {
            b.error(key, "must be a positive duration");
        }
        return d.filter(v -> !v.isNegative() && !v.isZero()).orElse(dflt);
    }

    private static int positiveInt(YamlBlock b, String key, int dflt) {
        Optional<Integer> v = b.integer(key);
        if (v.isPresent() && v.get() <= 0) {
            return dflt; // the Go project treats <= 0 as "use the default"
        }
        return v.orElse(dflt);
    }

    private YamlBlock empty(YamlBlock parent, String key) {
        return new YamlBlock(new YamlNode.Mapping(new java.util.LinkedHashMap<>(), new java.util.LinkedHashMap<>(),
                parent.lineOf(key)), parent.childPath(key), parent.lineOf(key), new ConfigProblems(), env);
    }
}
