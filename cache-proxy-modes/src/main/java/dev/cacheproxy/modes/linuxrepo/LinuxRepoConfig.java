package dev.cacheproxy.modes.linuxrepo;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.config.ConfigBlock;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.ModeConfig;
import dev.cacheproxy.core.mode.SharedBlocks;
import java.time.Duration;
import java.util.List;

/**
 * The block shared by the Linux repository modes (apk, deb, rpm, pacman), with the Go project's field
 * set. Metadata has no policy: it is served from generations refreshed every {@code refresh_interval}.
 * The {@code metadata_*} keys that the Go project's README documents for these modes (its code refuses
 * them) are accepted, checked for their type, and answered with one warning saying what happens
 * instead, so that a config written from that README runs unchanged.
 *
 * @param refreshTimeout the longest one refresh of one root may take before it counts as failed
 * @param cleanupInterval accepted for the Go schema; expiry runs with the server's cleanup schedule
 */
public record LinuxRepoConfig(InstanceBasics basics, Duration refreshInterval, Duration refreshTimeout,
        Duration cleanupInterval, CacheRule artifactRule, CacheRule auxiliaryRule) implements ModeConfig {

    public static final Duration DEFAULT_REFRESH_TIMEOUT = Duration.ofMinutes(10);
    public static final Duration DEFAULT_CLEANUP_INTERVAL = Duration.ofHours(6);
    private static final List<String> METADATA_FIELDS =
            List.of("metadata_policy", "metadata_fresh_for", "metadata_busy_policy", "metadata_expire_after");

    /** Reads the block of {@code mode}; {@code defaultRefresh} is the mode's {@code refresh_interval}. */
    public static LinuxRepoConfig parse(ConfigBlock b, String mode, Duration defaultRefresh) {
        InstanceBasics basics = InstanceBasics.reader("the " + mode + " mode").upstreams().passHeaders().read(b);
        SharedBlocks.policy(b, "metadata_policy", CachePolicy.REVALIDATE);
        SharedBlocks.freshness(b, "metadata_fresh_for");
        SharedBlocks.busyPolicy(b, "metadata_busy_policy", BusyPolicy.STALE);
        b.expiration("metadata_expire_after");
        for (String field : METADATA_FIELDS) {
            if (b.has(field)) {
                b.warn(field, "accepted and ignored: " + mode + " metadata is served from consistent generations, "
                        + "refreshed every refresh_interval and kept while refreshes fail, never by a cache policy");
            }
        }
        Duration refresh = positive(b, "refresh_interval", defaultRefresh);
        Duration timeout = positive(b, "refresh_timeout", DEFAULT_REFRESH_TIMEOUT);
        Duration cleanup = positive(b, "cleanup_interval", DEFAULT_CLEANUP_INTERVAL);
        Expiration expire = basics.expireAfter();
        CacheRule artifact = rule(b, "artifact", CachePolicy.IMMUTABLE, Freshness.NONE, BusyPolicy.BYPASS, expire);
        CacheRule auxiliary = rule(b, "auxiliary", CachePolicy.REVALIDATE, Freshness.of(Duration.ofSeconds(30)),
                BusyPolicy.BYPASS, expire);
        return new LinuxRepoConfig(basics, refresh, timeout, cleanup, artifact, auxiliary);
    }

    private static CacheRule rule(ConfigBlock b, String prefix, CachePolicy policy, Freshness fresh, BusyPolicy busy,
            Expiration expire) {
        return new CacheRule(SharedBlocks.policy(b, prefix + "_policy", policy),
                SharedBlocks.freshness(b, prefix + "_fresh_for").orElse(fresh),
                SharedBlocks.busyPolicy(b, prefix + "_busy_policy", busy),
                b.expiration(prefix + "_expire_after").orElse(expire));
    }

    private static Duration positive(ConfigBlock b, String key, Duration dflt) {
        Duration d = b.duration(key).orElse(dflt);
        if (d.isNegative() || d.isZero()) {
            b.error(key, "must be positive");
            return dflt;
        }
        return d;
    }
}
