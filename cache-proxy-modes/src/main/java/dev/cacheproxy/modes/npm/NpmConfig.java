package dev.cacheproxy.modes.npm;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.ModeConfig;

/**
 * The {@code npm} block: one upstream registry; packuments and other metadata follow the
 * {@code metadata_*} fields, tarballs {@code tarball_policy}.
 */
public record NpmConfig(InstanceBasics basics, CachePolicy metadataPolicy, Freshness metadataFreshFor,
        BusyPolicy metadataBusyPolicy, CachePolicy tarballPolicy) implements ModeConfig {

    CacheRule metadataRule() {
        return new CacheRule(metadataPolicy, metadataFreshFor, metadataBusyPolicy, basics.expireAfter());
    }

    /** Tarballs never change under a version; their busy policy is always "wait for the one fetch". */
    CacheRule tarballRule() {
        return new CacheRule(tarballPolicy, Freshness.FOREVER, BusyPolicy.BYPASS, basics.expireAfter());
    }
}
