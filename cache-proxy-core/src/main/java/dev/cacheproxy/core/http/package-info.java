/**
 * The request and response values exchanged between the server, the modes and the engine:
 * {@link dev.cacheproxy.core.http.ProxyRequest}, the sealed {@link dev.cacheproxy.core.http.ProxyResponse}
 * and {@link dev.cacheproxy.core.http.Headers}. No Netty types here.
 */
package dev.cacheproxy.core.http;
