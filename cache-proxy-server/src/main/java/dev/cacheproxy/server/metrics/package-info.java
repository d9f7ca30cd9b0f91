/**
 * Micrometer with the Prometheus registry: JVM, process and Netty allocator meters, the
 * {@link dev.cacheproxy.core.events.CacheEvents} implementation and per-request HTTP metrics.
 */
package dev.cacheproxy.server.metrics;
