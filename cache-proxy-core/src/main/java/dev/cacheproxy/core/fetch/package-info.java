/**
 * Single-flight fills: the {@link dev.cacheproxy.core.fetch.FillRegistry} that lets one upstream fetch per key
 * serve every concurrent request, the {@link dev.cacheproxy.core.fetch.Fill} whose growing temp file followers
 * stream from, and the {@link dev.cacheproxy.core.fetch.FillLimiter} that queues fills over the limits.
 */
package dev.cacheproxy.core.fetch;
