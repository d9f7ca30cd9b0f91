package dev.cacheproxy.modes.cargo;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.ModeConfig;
import java.util.Optional;

/**
 * The {@code cargo} block, with the Go project's fields and defaults, plus {@code token}: the
 * registry token sent upstream as cargo sends it ({@code Authorization: <token>}), to the upstream's own
 * host only, never logged.
 *
 * @param indexFreshFor unset: every index request is a conditional GET upstream (as in the Go project)
 * @param authRequired advertise {@code auth-required} in {@code config.json} and demand a token from clients
 */
public record CargoConfig(InstanceBasics basics, CachePolicy cratePolicy, Freshness indexFreshFor,
        BusyPolicy indexBusyPolicy, boolean authRequired, Optional<String> token) implements ModeConfig {

    CacheRule indexRule() {
        return new CacheRule(CachePolicy.REVALIDATE, indexFreshFor, indexBusyPolicy, basics.expireAfter());
    }

    /** A crate version's bytes never change (its checksum is in the index). */
    CacheRule crateRule() {
        return new CacheRule(cratePolicy, Freshness.FOREVER, BusyPolicy.BYPASS, basics.expireAfter());
    }

    @Override
    public String toString() {
        // the token never reaches a log line through this record
        return "CargoConfig[" + basics.mount() + ", authRequired=" + authRequired + ", token="
                + (token.isPresent() ? "(set)" : "(none)") + "]";
    }
}
