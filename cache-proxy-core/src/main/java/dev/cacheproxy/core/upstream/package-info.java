/**
 * Talking to upstreams: {@link dev.cacheproxy.core.upstream.UpstreamClient} (java.net.http per instance,
 * ordered failover, our own redirect following), the sealed
 * {@link dev.cacheproxy.core.upstream.UpstreamResult} and the body deadline guard.
 */
package dev.cacheproxy.core.upstream;
