package dev.cacheproxy.modes.npm;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.ModeConfig;
import dev.cacheproxy.core.mode.Mount;
import dev.cacheproxy.core.upstream.TransportSettings;
import java.net.URI;
import java.time.Duration;

/**
 * The {@code npm} block: one upstream registry; packuments and other metadata follow the
 * {@code metadata_*} fields, tarballs {@code tarball_policy}.
 */
public record NpmConfig(Mount mount, URI upstream, CachePolicy metadataPolicy, Freshness metadataFreshFor,
        BusyPolicy metadataBusyPolicy, CachePolicy tarballPolicy, Expiration expireAfter, Duration negativeCacheFor,
        TransportSettings transport) implements ModeConfig {

    CacheRule metadataRule() {
        return new CacheRule(metadataPolicy, metadataFreshFor, metadataBusyPolicy, expireAfter);
    }

    /** Tarballs never change under a version; their busy policy is always "wait for the one fetch". */
    CacheRule tarballRule() {
        return new CacheRule(tarballPolicy, Freshness.FOREVER, BusyPolicy.BYPASS, expireAfter);
    }
}
