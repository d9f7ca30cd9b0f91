/**
 * The server's upstream wire: {@link dev.cacheproxy.server.upstream.NettyUpstreams}, an HTTP/1.1 client on
 * Netty (the server's epoll or NIO transport, TLS through Netty's {@code SslHandler}) with a pool of
 * keep-alive connections per upstream origin (and proxy: {@link dev.cacheproxy.server.upstream.ProxyTunnel}
 * opens {@code CONNECT} tunnels), behind core's
 * {@link dev.cacheproxy.core.upstream.UpstreamTransport}. A response body is read into pooled direct
 * buffers as fast as its reader (a fill's virtual thread) takes them, at most about a megabyte ahead
 * ({@link dev.cacheproxy.server.upstream.ResponseBody}).
 */
package dev.cacheproxy.server.upstream;
