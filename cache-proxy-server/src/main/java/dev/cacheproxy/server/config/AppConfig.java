package dev.cacheproxy.server.config;

import dev.cacheproxy.core.mode.Configured;
import dev.cacheproxy.core.mode.Mode;
import dev.cacheproxy.core.mode.ModeConfig;
import dev.cacheproxy.core.mode.Mount;
import dev.cacheproxy.core.quota.StorageLimits;
import dev.cacheproxy.s3.S3Settings;
import dev.cacheproxy.server.access.AccessSettings;
import dev.cacheproxy.server.tls.TlsSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The whole configuration, validated. Built only by {@link ConfigLoader}. {@code warnings} are keys that
 * are valid but do not do here what their name suggests, each with its YAML path.
 */
public record AppConfig(Server server, Metrics metrics, Storage storage, Logging logging, List<Instance> instances,
        List<String> warnings) {

    /**
     * {@code server}: listener, storage directory, public URL; plus the connection limits that the Go
     * project does not have ({@code max_connections}, {@code idle_timeout}, {@code shutdown_timeout}), and
     * {@code admin_token}: the bearer token the admin operations (browse, purge) require; without one they
     * are served to loopback clients only; {@code tls}: TLS on every listener, HTTP/2 offered by ALPN (an
     * extension); {@code h2c}: cleartext listeners take HTTP/2 with prior knowledge too.
     */
    public record Server(String bind, Path backend, Optional<URI> publicUrl, int maxConnections, Duration idleTimeout,
            Duration shutdownTimeout, List<String> trustedProxies, Optional<String> adminToken, Optional<TlsSettings> tls, boolean h2c) {
        /** Never prints the admin token. */
        @Override
        public String toString() {
            return "Server[bind=" + bind + ", backend=" + backend + ", publicUrl=" + publicUrl + ", adminToken="
                    + (adminToken.isPresent() ? "***" : "none") + ", tls=" + tls.isPresent() + "]";
        }
    }

    /** {@code metrics}: the Prometheus path and an optional bearer token. */
    public record Metrics(String path, Optional<String> token) {}

    /**
     * {@code storage}: GC, cleanup, fill limits and the background scrub ({@code scrub.rate}: bytes re-hashed
     * per second on average, 0 turns it off; {@code scrub.interval}: from the start of one pass to the next),
     * the {@code limits}: {@code max_size} with {@code high_watermark} and {@code low_watermark}, and
     * {@code min_free}; the bucket when {@code backend: s3} (empty for the file backend); and
     * {@code hot_index_size}, the heap the in-memory index of hot entries may use, all instances together.
     */
    public record Storage(Duration gcBlob, boolean cleanupEnabled, Duration cleanupInterval, boolean cleanupDryRun,
            int cleanupBatchSize, int cleanupWorkers, int maxActive, int maxActivePerInstance,
            Optional<String> orphanPolicy, long scrubRate, Duration scrubInterval, StorageLimits limits,
            Optional<S3Settings> s3, long hotIndexSize) {
        public static final long DEFAULT_SCRUB_RATE = 8L * 1024 * 1024;
    }

    /**
     * {@code logging.level} (an extension): the root log level; empty when the YAML does not set one
     * (logback's default, or the environment, applies).
     */
    public record Logging(Optional<String> level) {}

    /** One {@code instances[]} entry with its mode's parsed block. */
    public record Instance(String name, boolean enabled, Configured<?> configured, AccessSettings access) {
        public Instance(String name, boolean enabled, Configured<?> configured) {
            this(name, enabled, configured, AccessSettings.OPEN);
        }

        public Mode<?> mode() {
            return configured.mode();
        }

        public ModeConfig config() {
            return configured.config();
        }

        public Mount mount() {
            return configured.config().mount();
        }
    }

    public List<Instance> enabledInstances() {
        return instances.stream().filter(Instance::enabled).toList();
    }
}
