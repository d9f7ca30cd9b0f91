package dev.cacheproxy.server.netty;

import dev.cacheproxy.core.http.ProxyResponse;

/**
 * Answers one request of one listener. Runs on a virtual thread and may block. Implemented by the
 * main listener (admin endpoints + mounts) and by a dedicated listener (one instance).
 */
interface Dispatcher {
    ProxyResponse dispatch(Exchange ex, IncomingRequest request);
}
