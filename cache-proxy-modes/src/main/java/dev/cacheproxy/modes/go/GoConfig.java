package dev.cacheproxy.modes.go;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.ModeConfig;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The {@code go} block, with the Go project's fields and defaults.
 *
 * @param sumdb the checksum database proxied under {@code sumdb/<name>/}, if any
 * @param goprivate GOPRIVATE patterns: matching modules are answered 404 and never asked upstream
 * @param disableModuleFetchHeader honour {@code Disable-Module-Fetch: true} (serve only what is stored)
 */
public record GoConfig(InstanceBasics basics, CachePolicy modulePolicy, Freshness moduleFreshFor,
        BusyPolicy moduleBusyPolicy, CachePolicy zipPolicy, Optional<Sumdb> sumdb, Freshness sumdbFreshFor,
        BusyPolicy sumdbBusyPolicy, GoPrivate goprivate, boolean disableModuleFetchHeader) implements ModeConfig {

    /** A checksum database: its name (as in {@code GOSUMDB}) and where it is served. */
    public record Sumdb(String name, URI url) {}

    /** {@code @v/list} and {@code @latest}: they change when a version is published. */
    CacheRule moduleRule() {
        return new CacheRule(modulePolicy, moduleFreshFor, moduleBusyPolicy, basics.expireAfter());
    }

    /**
     * {@code .info} and {@code .mod} of a canonical version: fixed once published (the checksum database
     * records the go.mod's hash), so immutable unless the module policy bypasses the cache.
     */
    CacheRule versionRule() {
        return modulePolicy == CachePolicy.BYPASS ? moduleRule() : CacheRule.immutable(basics.expireAfter());
    }

    CacheRule zipRule() {
        return new CacheRule(zipPolicy, Freshness.FOREVER, BusyPolicy.BYPASS, basics.expireAfter());
    }

    /** {@code latest}, lookups and partial tiles. */
    CacheRule sumdbRule() {
        return new CacheRule(CachePolicy.REVALIDATE, sumdbFreshFor, sumdbBusyPolicy, basics.expireAfter());
    }

    /** Full tiles are hashes of a fixed part of an append-only log: they never change. */
    CacheRule tileRule() {
        return CacheRule.immutable(basics.expireAfter());
    }

    List<URI> proxies() {
        return basics.upstreams();
    }
}
