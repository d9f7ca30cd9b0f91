/**
 * Talking to upstreams: {@link dev.cacheproxy.core.upstream.UpstreamClient} (one per instance: ordered
 * failover, health breakers, our own redirect following, challenges) over an
 * {@link dev.cacheproxy.core.upstream.UpstreamTransport} (the wire: the server's Netty client, or
 * {@link dev.cacheproxy.core.upstream.JdkUpstreamTransport} on {@code java.net.http}), the sealed
 * {@link dev.cacheproxy.core.upstream.UpstreamResult} and the body deadline guard.
 */
package dev.cacheproxy.core.upstream;
