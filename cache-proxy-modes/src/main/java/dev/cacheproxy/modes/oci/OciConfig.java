package dev.cacheproxy.modes.oci;

import dev.cacheproxy.core.cache.BusyPolicy;
import dev.cacheproxy.core.cache.CachePolicy;
import dev.cacheproxy.core.cache.CacheRule;
import dev.cacheproxy.core.config.Expiration;
import dev.cacheproxy.core.config.Freshness;
import dev.cacheproxy.core.config.Glob;
import dev.cacheproxy.core.mode.InstanceBasics;
import dev.cacheproxy.core.mode.ModeConfig;
import java.util.List;
import java.util.Optional;

/**
 * The {@code oci} block: one upstream registry on a listener of its own.
 *
 * <p>Rules match repository names; the <em>first</em> matching rule decides (the Go project's
 * semantics for this mode). The policy governs tags; a digest names fixed bytes, so manifests by
 * digest and blobs are immutable whenever the repository is cached at all.
 */
public record OciConfig(InstanceBasics basics, Optional<String> displayUrl, CachePolicy defaultPolicy,
        Freshness freshFor, BusyPolicy busyPolicy, Auth auth, List<Rule> rules) implements ModeConfig {

    /** One {@code rules[]} entry: a glob on the repository name; absent fields keep the instance's values. */
    public record Rule(Glob match, Optional<CachePolicy> policy, Optional<Expiration> expireAfter) {}

    /** {@code auth}: how the proxy authenticates to the upstream. */
    public sealed interface Auth {
        /** Anonymous; a bearer challenge is still answered with an anonymous token. */
        record None() implements Auth {}

        /** Basic credentials, for a basic challenge and for the token endpoint of a bearer challenge. */
        record Basic(String username, String password) implements Auth {}

        /** A static token sent with every request. */
        record Bearer(String token) implements Auth {}
    }

    private Optional<Rule> ruleMatching(String repository) {
        return rules.stream().filter(r -> r.match().matches(repository)).findFirst();
    }

    /** The rule for a manifest by tag in {@code repository}. */
    CacheRule tagRule(String repository) {
        Optional<Rule> r = ruleMatching(repository);
        CachePolicy policy = r.flatMap(Rule::policy).orElse(defaultPolicy);
        Expiration expiry = r.flatMap(Rule::expireAfter).orElse(basics.expireAfter());
        return policy == CachePolicy.IMMUTABLE
                ? CacheRule.immutable(expiry)
                : new CacheRule(policy, freshFor, busyPolicy, expiry);
    }

    /** The rule for content named by digest in {@code repository}: immutable unless the repository is bypassed. */
    CacheRule digestRule(String repository) {
        CacheRule tag = tagRule(repository);
        return tag.policy() == CachePolicy.BYPASS ? tag : CacheRule.immutable(tag.expireAfter());
    }

    /** The rule for listings (tags, referrers): revalidated, the stored copy served when the upstream is down. */
    CacheRule listingRule(String repository) {
        CacheRule tag = tagRule(repository);
        return tag.policy() == CachePolicy.BYPASS ? tag
                : new CacheRule(CachePolicy.REVALIDATE, freshFor, BusyPolicy.STALE, tag.expireAfter());
    }
}
