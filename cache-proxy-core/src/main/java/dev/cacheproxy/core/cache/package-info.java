/**
 * Caching: the policy types as named in the YAML, the pure {@link dev.cacheproxy.core.cache.FreshnessDecision}
 * and the {@link dev.cacheproxy.core.cache.CacheEngine} that carries decisions out (single-flight fills,
 * verification, revalidation, stale-on-error, negative caching, bypass).
 */
package dev.cacheproxy.core.cache;
