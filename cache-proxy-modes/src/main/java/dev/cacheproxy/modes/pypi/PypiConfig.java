package dev.cacheproxy.modes.pypi;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.ModeConfig;
import java.net.URI;
import java.util.List;

/**
 * The {@code pypi} block, with the Go project's fields and defaults, plus {@code file_hosts}: the bases
 * files may be fetched from besides the upstream URL (by default, where the upstream's pages link them).
 *
 * @param proxyJson serve PEP 691 JSON to clients that ask for it (and the Go project's
 *     {@code simple/<project>/json} path); false serves HTML only
 * @param proxyCoreMetadata PEP 658 {@code .metadata} files without a known digest follow the companion
 *     policy instead of {@code file_policy} (as in the Go project, the flag changes policy only)
 * @param proxySignatures {@code .asc}, {@code .sig} and {@code .minisig} files follow the companion policy
 * @param fileHosts empty: files may come from below the upstream URL and from where its pages link them
 *     ({@link FileHosts}); otherwise only from below the upstream URL and these bases
 */
public record PypiConfig(InstanceBasics basics, CachePolicy indexPolicy, Freshness indexFreshFor,
        BusyPolicy indexBusyPolicy, CachePolicy filePolicy, CachePolicy companionPolicy, Freshness companionFreshFor,
        BusyPolicy companionBusyPolicy, boolean proxyJson, boolean proxyCoreMetadata, boolean proxySignatures,
        List<URI> fileHosts) implements ModeConfig {

    CacheRule indexRule() {
        return new CacheRule(indexPolicy, indexFreshFor, indexBusyPolicy, basics.expireAfter());
    }

    /** Files never change under a name and digest: one fetch, every waiter joins it. */
    CacheRule fileRule() {
        return new CacheRule(filePolicy, Freshness.FOREVER, BusyPolicy.BYPASS, basics.expireAfter());
    }

    CacheRule companionRule() {
        return new CacheRule(companionPolicy, companionFreshFor, companionBusyPolicy, basics.expireAfter());
    }
}
