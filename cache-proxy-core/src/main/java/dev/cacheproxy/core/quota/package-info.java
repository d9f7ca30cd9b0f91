/**
 * How much the store may hold and what goes when it holds too much: the size quota
 * ({@code storage.max_size} with its high and low watermarks) and the free-space floor
 * ({@code storage.min_free}). {@link dev.cacheproxy.core.index.EntryUsage} (the in-memory table of
 * every entry: its blob, size and last use, rebuilt at start-up by
 * {@link dev.cacheproxy.core.index.UsageScan}) orders eviction; {@link dev.cacheproxy.core.quota.QuotaEnforcer} evicts
 * least-recently-used entries down to the low watermark; {@link dev.cacheproxy.core.quota.StorageSpace}
 * decides before each fill whether its body may be stored at all, and remembers a full disk.
 */
package dev.cacheproxy.core.quota;
