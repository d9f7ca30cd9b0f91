/**
 * Background housekeeping over the shared storage: blob garbage collection (mark and sweep across
 * every instance's index, with a grace period). Per-instance expiry cleanup lives with the engine
 * ({@code CacheEngine.removeExpired}); the server schedules both.
 */
package dev.cacheproxy.core.maintenance;
